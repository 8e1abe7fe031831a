"""
A TCP proxy that fault drills put between the site and a part it needs
(PostgreSQL, Redis): the site connects to the proxy's port on 127.0.0.1,
the proxy to the real server. A test or the drill then cuts the part off
and brings it back, without stopping the machine's own server:

    with TcpProxy(6379) as proxy:        # redis://127.0.0.1:{proxy.port}/7
        proxy.refuse()    # new connections refused, open ones closed
        proxy.hang()      # connections accepted, nothing answered
        proxy.restore()   # answers again

Real sockets, real threads: what the site meets is what it meets when the
server goes away (connection refused, a reset, or a server that hangs).
"""

import contextlib
import socket
import struct
import threading

PASS, REFUSE, HANG = "pass", "refuse", "hang"


class TcpProxy:
    def __init__(self, target_port, *, target_host="127.0.0.1", port=0):
        self.target = (target_host, target_port)
        self.mode = PASS
        self._wanted_port = port
        self._listener = None
        self._lock = threading.Lock()
        self._pairs = []
        self._stopped = threading.Event()
        self.port = None

    # --- Life -------------------------------------------------------------

    def start(self):
        self._listen()
        return self

    def stop(self):
        self._stopped.set()
        self._close_listener()
        self._cut_connections()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # --- Faults -------------------------------------------------------------

    def refuse(self):
        """Connection refused from now on; open connections are reset."""
        self.mode = REFUSE
        self._close_listener()
        self._cut_connections()

    def hang(self):
        """Connections are accepted (and open ones kept) but nothing passes."""
        self.mode = HANG
        self._listen()

    def restore(self):
        """Everything passes again, to the server as it now is."""
        self.mode = PASS
        self._listen()

    # --- Inner workings ---------------------------------------------------

    def _listen(self):
        with self._lock:
            if self._listener is not None:
                return
            listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(("127.0.0.1", self.port or self._wanted_port))
            listener.listen(128)
            self.port = listener.getsockname()[1]
            self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _close_listener(self):
        with self._lock:
            listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()

    def _cut_connections(self):
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for pair in pairs:
            for sock in pair:
                with contextlib.suppress(OSError):
                    # RST, as a server that went away sends.
                    sock.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                    )
                with contextlib.suppress(OSError):
                    # close() alone leaves the socket open while a _pipe
                    # thread waits in recv() on it: the server would keep
                    # the session, and any transaction and row locks it
                    # holds, as PostgreSQL going away never does.
                    sock.shutdown(socket.SHUT_RDWR)
                with contextlib.suppress(OSError):
                    sock.close()

    def _accept(self, listener):
        while not self._stopped.is_set():
            try:
                client, _ = listener.accept()
            except OSError:
                return
            if self.mode == HANG:
                with self._lock:
                    self._pairs.append((client,))
                continue
            try:
                server = socket.create_connection(self.target, timeout=5)
                server.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._pairs.append((client, server))
            for source, sink in ((client, server), (server, client)):
                threading.Thread(
                    target=self._pipe, args=(source, sink), daemon=True
                ).start()

    def _pipe(self, source, sink):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                while self.mode == HANG and not self._stopped.is_set():
                    # A hung server: hold what was sent, answer nothing.
                    self._stopped.wait(0.05)
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
