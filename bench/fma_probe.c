/* fp32 FMA peak probe: THREADS threads, each running ACC independent vector FMA chains
 * (acc = acc * a + b) on registers only, so neither memory nor dependencies limit it.
 * Build: gcc -O3 -march=native -pthread bench/fma_probe.c -o target/fma_probe
 * Usage: fma_probe [THREADS] [SECONDS_PER_TRY]   prints the best GFLOP/s of 5 tries.
 * The Java probe (dev.winnow.onnx.FmaProbe) does the same with the Vector API; compare.sh runs
 * both and divides by the higher. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define ACC 12
#define LANES 16 /* 512-bit vectors; gcc splits them into 2x256 on machines without AVX-512 */
typedef float v16 __attribute__((vector_size(LANES * 4)));

static long iters;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void *run(void *out) {
  v16 acc[ACC];
  v16 a, b;
  for (int l = 0; l < LANES; l++) {
    a[l] = 0.999f;
    b[l] = 0.001f;
  }
  for (int i = 0; i < ACC; i++) acc[i] = b * (float)(i + 1);
  for (long n = 0; n < iters; n++) {
#pragma GCC unroll 12
    for (int i = 0; i < ACC; i++) acc[i] = acc[i] * a + b;
    __asm__ volatile("" : "+v"(a)); /* keep a opaque: no folding across iterations */
  }
  float s = 0;
  for (int i = 0; i < ACC; i++)
    for (int l = 0; l < LANES; l++) s += acc[i][l];
  *(float *)out = s;
  return NULL;
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 2;
  double seconds = argc > 2 ? atof(argv[2]) : 0.5;
  if (threads < 1 || threads > 256) {
    fprintf(stderr, "threads must be 1..256, got %d\n", threads);
    return 2;
  }
  pthread_t t[256];
  float sink[256];
  double best = 0;
  iters = 1000000;
  for (int attempt = 0; attempt < 6; attempt++) {
    double t0 = now();
    for (int i = 0; i < threads; i++) pthread_create(&t[i], NULL, run, &sink[i]);
    for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
    double dt = now() - t0;
    double gflops = 2.0 * LANES * ACC * (double)iters * threads / dt / 1e9;
    if (attempt == 0) { /* calibrate the loop to ~seconds per try */
      iters = (long)(iters * seconds / dt);
      continue;
    }
    if (gflops > best) best = gflops;
  }
  float s = 0;
  for (int i = 0; i < threads; i++) s += sink[i];
  printf("{\"probe\":\"c-gcc-O3-march=native\",\"threads\":%d,\"gflops\":%.1f,\"sink\":%g}\n", threads, best, s);
  return 0;
}
