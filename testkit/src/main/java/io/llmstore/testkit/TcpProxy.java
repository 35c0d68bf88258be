package io.llmstore.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongPredicate;

/**
 * A loopback TCP proxy that fault tests and benchmarks control: forwards {@code 127.0.0.1:port()} to a target, and can cut every open
 * connection ({@link #cutAll()}), refuse new ones ({@link #refuseNew()}, the client sees its connection reset at once),
 * look hung ({@link #hang()}: accept and never answer) and {@link #resume()}. {@link #cutAfterUpstreamBytes} cuts every connection once a connection has sent that many
 * bytes towards the server, the precise way to drop one connection in the middle of a COPY or a batch.
 *
 * <p>Plain threads, two per connection: enough for a test's handful of pooled connections.
 */
public final class TcpProxy implements AutoCloseable {
    private final InetSocketAddress target;
    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile boolean refusing;
    private volatile boolean hanging;
    private volatile boolean closed;
    private volatile LongPredicate cutWhen = n -> false;
    private final AtomicLong cuts = new AtomicLong();

    private TcpProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "tcp-proxy-accept-" + server.getLocalPort());
        this.acceptor.setDaemon(true);
        this.acceptor.start();
    }

    /** A proxy to {@code host:port} listening on a free loopback port. */
    public static TcpProxy to(String host, int port) throws IOException {
        return new TcpProxy(new InetSocketAddress(host, port));
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Closes every open connection (both sides see a reset/EOF); new ones are still accepted. */
    public void cutAll() {
        for (Socket s : open) {
            closeQuietly(s);
        }
        open.clear();
        cuts.incrementAndGet();
    }

    /** Accepts and at once closes new connections, and cuts the open ones: the server looks unreachable. */
    public void refuseNew() {
        refusing = true;
        cutAll();
    }

    /**
     * The server looks hung: open connections stop forwarding (bytes either way are swallowed) and new ones are
     * accepted but never answered. Clients wait for their own timeouts, as with a server stopped by SIGSTOP.
     */
    public void hang() {
        hanging = true;
    }

    /**
     * Forwards new connections again and forgets any armed cut. After a {@link #hang()}, the connections that were
     * open are cut, since bytes they sent meanwhile were lost.
     */
    public void resume() {
        cutWhen = n -> false;
        refusing = false;
        if (hanging) {
            hanging = false;
            cutAll();
        }
    }

    /**
     * Arms a one-shot cut: when one connection has sent more than {@code bytes} bytes towards the server, that
     * connection is cut mid-request (half of the chunk forwarded, then both sides closed). Others live on.
     */
    public void cutAfterUpstreamBytes(long bytes) {
        cutWhen = n -> n > bytes;
    }

    /** How many times connections were cut. */
    public long cuts() {
        return cuts.get();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            if (refusing) {
                closeQuietly(client);
                continue;
            }
            if (hanging) {
                open.add(client); // held open, never answered; cut by resume() or close()
                continue;
            }
            Socket upstream = new Socket();
            try {
                upstream.connect(target, 2000);
            } catch (IOException e) {
                closeQuietly(client);
                closeQuietly(upstream);
                continue;
            }
            open.add(client);
            open.add(upstream);
            pump(client, upstream, true);
            pump(upstream, client, false);
        }
    }

    private void pump(Socket from, Socket to, boolean upstreamDirection) {
        Thread t = new Thread(() -> {
            long sent = 0;
            byte[] buf = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    if (hanging) {
                        continue; // swallowed: the peer waits for an answer that never comes
                    }
                    if (upstreamDirection) {
                        sent += n;
                        if (cutWhen.test(sent)) {
                            cutWhen = x -> false; // one shot
                            // Forward only part of this chunk: the server sees a request that stops half-way.
                            out.write(buf, 0, n / 2);
                            out.flush();
                            cuts.incrementAndGet();
                            return; // finally closes this connection's two sockets; the others live on

                        }
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException ignored) {
                // The other side went away or we cut it.
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
            }
        }, "tcp-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        cutAll();
    }
}
