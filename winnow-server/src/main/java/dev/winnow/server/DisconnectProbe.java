package dev.winnow.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import org.eclipse.jetty.io.AbstractEndPoint;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Callback;

/**
 * Notices a client that closes its connection while its request waits for the model.
 *
 * <p>Jetty's HTTP/1.1 connection does not read while a request is being handled, so a client that
 * goes away is only seen when the answer is written. The probe registers read interest on the
 * connection's endpoint once the body has been read; when the socket becomes readable it reads one
 * byte: end of stream means the client is gone and {@code onGone} runs. A byte of a pipelined next
 * request cannot be given back, so the answer then carries {@code Connection: close} (HTTP/1.1
 * pipelining of POST requests is practically unused). {@link #disarm} withdraws the interest before
 * the answer is written, so that the connection can read the next request.
 *
 * <p>Thread-safe: arm, fire and disarm are serialized on the probe.
 */
final class DisconnectProbe implements Callback {

  private final EndPoint endPoint;
  private final Runnable onGone;
  private boolean armed; // guarded by this
  private boolean done; // guarded by this
  private boolean consumedData; // guarded by this

  private DisconnectProbe(EndPoint endPoint, Runnable onGone) {
    this.endPoint = endPoint;
    this.onGone = onGone;
  }

  /** Starts watching {@code request}'s connection; empty when it cannot be watched. */
  static Optional<DisconnectProbe> watch(Request request, Runnable onGone) {
    EndPoint ep = request.getConnectionMetaData().getConnection().getEndPoint();
    if (!(ep instanceof AbstractEndPoint)
        || !request.getConnectionMetaData().getHttpVersion().name().startsWith("HTTP_1")) {
      return Optional.empty();
    }
    DisconnectProbe probe = new DisconnectProbe(ep, onGone);
    probe.arm();
    return Optional.of(probe);
  }

  private synchronized void arm() {
    if (!done && !armed) {
      armed = endPoint.tryFillInterested(this);
    }
  }

  @Override
  public void succeeded() {
    boolean gone = false;
    synchronized (this) {
      armed = false;
      if (done) {
        return;
      }
      try {
        ByteBuffer one = ByteBuffer.allocate(1);
        one.flip();
        int n = endPoint.fill(one);
        if (n < 0) {
          gone = true;
          done = true;
        } else if (n > 0) {
          consumedData = true;
          done = true;
        }
      } catch (IOException e) {
        gone = true;
        done = true;
      }
    }
    if (gone) {
      onGone.run();
    } else {
      arm();
    }
  }

  @Override
  public void failed(Throwable x) {
    boolean gone;
    synchronized (this) {
      armed = false;
      gone = !done && !(x instanceof CancellationException);
      done = true;
    }
    if (gone) {
      onGone.run();
    }
  }

  /**
   * Withdraws the read interest before the answer is written.
   *
   * @return true when the probe consumed bytes of a next request, so the connection must close
   */
  synchronized boolean disarm() {
    done = true;
    if (armed) {
      armed = false;
      ((AbstractEndPoint) endPoint).getFillInterest().onFail(new CancellationException("answered"));
    }
    return consumedData;
  }

  @Override
  public InvocationType getInvocationType() {
    return InvocationType.BLOCKING;
  }
}
