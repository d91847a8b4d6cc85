"""Faults on the wire: a TCP proxy put between Gongzhi and PostgreSQL or Redis, which a test
cuts (connections dropped, new ones refused), hangs (connections taken but never answered)
and restores, without touching the shared server behind it."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit


class TcpProxy:
    """Forwards ``127.0.0.1:port`` to ``target``; runs its own event loop in a thread, so the
    test's loop and a server in another process reach it alike."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.state = "open"  # "open", "cut" or "hung"
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._links: set[asyncio.StreamWriter] = set()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="tcp-proxy", daemon=True)

    def start(self) -> "TcpProxy":
        self._thread.start()
        self._ready.wait(10)
        return self

    def stop(self) -> None:
        self._call(self._close)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    async def _close(self) -> None:
        await self._set("cut")
        tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def url(self, url: str) -> str:
        """``url`` (postgresql://… or redis://…) sent through the proxy instead."""
        parts = urlsplit(url)
        credentials = parts.netloc.rpartition("@")[0]
        netloc = f"{credentials}@127.0.0.1:{self.port}" if credentials else f"127.0.0.1:{self.port}"
        return urlunsplit(parts._replace(netloc=netloc))

    def cut(self) -> None:
        """Drop every connection, and refuse new ones (each is closed as soon as it is taken)."""
        self._call(self._set, "cut")

    def hang(self) -> None:
        """Stop forwarding: what is sent is swallowed and nothing comes back, as when the far
        end's host has gone silent. New connections are taken and left waiting."""
        self._call(self._set, "hung")

    def restore(self) -> None:
        """Forward again (connections cut stay cut; hung ones are dropped)."""
        self._call(self._set, "open")

    def _call(self, function, *args) -> None:
        asyncio.run_coroutine_threadsafe(function(*args), self._loop).result(10)

    async def _set(self, state: str) -> None:
        previous, self.state = self.state, state
        if state == "cut" or (state == "open" and previous == "hung"):
            for writer in list(self._links):
                writer.transport.abort()
            self._links.clear()

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(asyncio.start_server(self._accept, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            server.close()
            self._loop.close()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.state == "cut":
            writer.transport.abort()
            return
        self._links.add(writer)
        if self.state == "hung":
            return  # taken, never answered; dropped when the proxy is restored
        try:
            far_reader, far_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._links.add(far_writer)
        await asyncio.gather(self._pump(reader, far_writer), self._pump(far_reader, writer))

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                if self.state == "open":
                    writer.write(data)
                    await writer.drain()
                elif self.state == "cut":
                    break
                # hung: swallowed
        except (ConnectionError, OSError):
            pass
        finally:
            writer.transport.abort()
            self._links.discard(writer)


@contextmanager
def tcp_proxy(url: str, default_port: int) -> Iterator[TcpProxy]:
    """A proxy to the server ``url`` names (its port, else ``default_port``)."""
    parts = urlsplit(url)
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or default_port).start()
    try:
        yield proxy
    finally:
        proxy.stop()
