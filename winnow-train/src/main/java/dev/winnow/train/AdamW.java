package dev.winnow.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW (decoupled weight decay, as {@code torch.optim.AdamW}) with global-norm gradient clipping.
 * Weight decay applies to matrices only: biases and normalisation weights (rank 1) are exempt, the
 * usual rule for BERT fine-tuning. Updates run outside any gradient recording, in place.
 *
 * <p>Not thread-safe: one training loop owns it.
 */
final class AdamW {

  static final double BETA1 = 0.9;
  static final double BETA2 = 0.999;
  static final double EPS = 1e-8;

  private final Map<String, NDArray> parameters;
  private final double weightDecay;
  final Map<String, NDArray> m = new LinkedHashMap<>();
  final Map<String, NDArray> v = new LinkedHashMap<>();
  long step;

  AdamW(Map<String, NDArray> parameters, double weightDecay, NDManager manager) {
    this.parameters = parameters;
    this.weightDecay = weightDecay;
    parameters.forEach(
        (name, p) -> {
          m.put(name, manager.zeros(p.getShape()));
          v.put(name, manager.zeros(p.getShape()));
        });
  }

  /**
   * Scales every gradient so that their global L2 norm is at most {@code maxNorm}; returns the norm
   * before clipping.
   */
  double clip(double maxNorm, NDManager scope) {
    double sum = 0;
    for (NDArray p : parameters.values()) {
      NDArray g = gradient(p, scope);
      sum += temp(temp(g.square(), scope).sum(), scope).getFloat();
    }
    double norm = Math.sqrt(sum);
    if (norm > maxNorm) {
      float scale = (float) (maxNorm / (norm + 1e-6));
      for (NDArray p : parameters.values()) {
        gradient(p, scope).muli(scale);
      }
    }
    return norm;
  }

  /** One update at learning rate {@code lr}; gradients are zeroed after. */
  void step(double lr, NDManager scope) {
    step++;
    double c1 = 1 - Math.pow(BETA1, step);
    double c2 = 1 - Math.pow(BETA2, step);
    for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
      NDArray p = e.getValue();
      NDArray g = gradient(p, scope);
      NDArray mi = m.get(e.getKey());
      NDArray vi = v.get(e.getKey());
      if (weightDecay > 0 && p.getShape().dimension() > 1) {
        p.muli((float) (1 - lr * weightDecay));
      }
      mi.muli((float) BETA1).addi(temp(g.mul((float) (1 - BETA1)), scope));
      vi.muli((float) BETA2).addi(temp(g.square(), scope).muli((float) (1 - BETA2)));
      NDArray denominator = temp(temp(vi.div((float) c2), scope).sqrt(), scope).addi((float) EPS);
      p.subi(temp(mi.div(denominator), scope).muli((float) (lr / c1)));
      g.muli(0f);
    }
  }

  private static NDArray temp(NDArray a, NDManager scope) {
    a.attach(scope);
    return a;
  }

  private static NDArray gradient(NDArray p, NDManager scope) {
    NDArray g = p.getGradient();
    g.attach(scope);
    return g;
  }
}
