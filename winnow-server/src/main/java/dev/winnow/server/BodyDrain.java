package dev.winnow.server;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Reads and discards what is left of a request body after the answer has been sent, then runs
 * {@code done}.
 *
 * <p>A server that closes its socket while a client is still sending makes the kernel reset the
 * connection, and a reset can destroy an answer the client has not read yet: a client sending 50 MB
 * gets "connection reset" instead of the 413 that was written for it. Draining first (what nginx
 * calls a lingering close) lets the close be an orderly one. The drain is bounded in bytes and in
 * time, so a client that never stops sending costs at most that before it is cut off; like the body
 * read, it waits for data without holding a thread.
 */
final class BodyDrain implements Runnable {

  /** Most bytes discarded after an answer before the connection is closed regardless. */
  static final long LIMIT_BYTES = 256L * 1024 * 1024;

  private final Request request;
  private final Runnable done;
  private final AtomicBoolean finished = new AtomicBoolean();
  private long discarded;
  private Scheduler.Task deadline;

  private BodyDrain(Request request, Runnable done) {
    this.request = request;
    this.done = done;
  }

  /** Drains {@code request}'s remaining body for at most {@code timeoutMs}, then runs done. */
  static void start(Request request, long timeoutMs, Runnable done) {
    BodyDrain drain = new BodyDrain(request, done);
    drain.deadline =
        request
            .getComponents()
            .getScheduler()
            .schedule(drain::finish, timeoutMs, TimeUnit.MILLISECONDS);
    drain.run();
  }

  @Override
  public void run() {
    while (!finished.get()) {
      Content.Chunk chunk = request.read();
      if (chunk == null) {
        request.demand(this);
        return;
      }
      discarded += chunk.remaining();
      boolean end = chunk.isLast() || Content.Chunk.isFailure(chunk);
      chunk.release();
      if (end || discarded > LIMIT_BYTES) {
        finish();
        return;
      }
    }
  }

  private void finish() {
    if (finished.compareAndSet(false, true)) {
      if (deadline != null) {
        deadline.cancel();
      }
      done.run();
    }
  }
}
