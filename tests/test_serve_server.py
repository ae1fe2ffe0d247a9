"""The preview server's safety and consistency: traversal, Host header, complete files during rebuilds,
errors kept for the browser and cleared when fixed."""

from __future__ import annotations

import http.client
import socket
import threading
from collections.abc import Iterator

import pytest

from site_builder.serve import PreviewSession, parse_address
from site_builder.serve.server import PreviewServer
from tests.conftest import write_site


@pytest.fixture(scope="module")
def preview(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[PreviewSession, int]]:
    tmp_path = tmp_path_factory.mktemp("preview")
    root = write_site(tmp_path / "site", {
        "content/index.md": "# Home\n\nWelcome. " + "Long text. " * 200 + "\n",
        "content/other.md": "---\ntitle: Other\n---\n\nValue {{ data.nums[0].v }}.\n",
        "content/data/nums.csv": "v\n1\n",
    })
    (tmp_path / "secret.txt").write_text("TOP SECRET")
    session = PreviewSession(root / "mkdocs.yml")
    assert session.rebuild()
    (session.generations.folder / "secret.txt").write_text("TOP SECRET")
    server = PreviewServer(("127.0.0.1", 0), session.generations, session.hub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield session, server.server_address[1]
    session.hub.close()
    server.shutdown()
    server.server_close()
    session.close()


def raw_get(port: int, target: str, host: str | None = "127.0.0.1") -> tuple[int, bytes]:
    """A GET with the target and Host exactly as given (no client-side normalisation)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        headers = f"Host: {host}\r\n" if host is not None else ""
        sock.sendall(f"GET {target} HTTP/1.1\r\n{headers}Connection: close\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def test_pages_are_served_with_the_live_client_and_disk_stays_clean(preview: tuple[PreviewSession, int]) -> None:
    session, port = preview
    status, body = raw_get(port, "/repo/other/")
    assert status == 200
    assert b"Value 1." in body and b'id="site-builder-live"' in body
    on_disk = (session.generations.current.root / "other/index.html").read_bytes()  # type: ignore[union-attr]
    assert b"site-builder-live" not in on_disk


@pytest.mark.parametrize("target", [
    "/repo/../secret.txt", "/repo/%2e%2e/secret.txt", "/repo/%2E%2E%2Fsecret.txt", "/repo/..%2fsecret.txt",
    "/repo/assets/../../secret.txt", "/repo/..%5csecret.txt", "/repo/%252e%252e/secret.txt", "/repo//secret.txt",
    "/repo/%2e%2e/%2e%2e/site/mkdocs.yml", "/repo/..", "/repo/%00/index.html", "/repo/%ff", "/../secret.txt",
    "/secret.txt",
])
def test_traversal_answers_404(preview: tuple[PreviewSession, int], target: str) -> None:
    status, body = raw_get(preview[1], target)
    assert status == 404
    assert b"SECRET" not in body and b"site_name" not in body


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "localhost:{port}", "127.0.0.1:{port}", "[::1]:{port}"])
def test_local_host_headers_are_served(preview: tuple[PreviewSession, int], host: str) -> None:
    assert raw_get(preview[1], "/repo/", host.format(port=preview[1]))[0] == 200


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1.evil.example:{port}",
                                  "evil.example@127.0.0.1", "10.0.0.5:{port}", None])
def test_foreign_host_headers_are_refused(preview: tuple[PreviewSession, int], host: str | None) -> None:
    status, body = raw_get(preview[1], "/repo/", host.format(port=preview[1]) if host else None)
    assert status == 403
    assert b"Welcome" not in body


def test_the_site_is_served_under_the_path_of_site_url(preview: tuple[PreviewSession, int]) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", preview[1], timeout=5)
    connection.request("GET", "/")
    response = connection.getresponse()
    assert (response.status, response.getheader("Location")) == (302, "/repo/")
    status, body = raw_get(preview[1], "/repo/nowhere/deeper/")
    assert status == 404 and b'"root": "../../"' in body, "the site's 404 page, with the live client"


def test_directory_without_slash_redirects_relatively(preview: tuple[PreviewSession, int]) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", preview[1], timeout=5)
    connection.request("GET", "/repo/other")
    response = connection.getresponse()
    assert (response.status, response.getheader("Location")) == (302, "other/")


def test_requests_during_rebuilds_get_complete_files(preview: tuple[PreviewSession, int]) -> None:
    session, port = preview
    page = session.root / "content/index.md"
    failures: list[str] = []
    stop = threading.Event()

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while not stop.is_set():
            connection.request("GET", "/repo/")
            response = connection.getresponse()
            body = response.read()
            if response.status != 200 or not body.rstrip().endswith(b"</html>") or b"Welcome" not in body:
                failures.append(f"{response.status} {len(body)}")

    threads = [threading.Thread(target=client) for _ in range(4)]
    for thread in threads:
        thread.start()
    for n in range(4):
        page.write_text(f"# Home\n\nWelcome {n}. " + "Long text. " * (200 + 50 * n) + "\n")
        assert session.rebuild()
    stop.set()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(list(session.generations.folder.glob("gen-*"))) == 1, "replaced trees are removed"


def test_failed_rebuild_keeps_the_site_and_reports_positions(preview: tuple[PreviewSession, int]) -> None:
    session, port = preview
    other = session.root / "content/other.md"
    other.write_text("---\ntitle: a: b\n---\n\nText.\n")
    assert not session.rebuild()
    assert raw_get(port, "/repo/other/")[0] == 200, "the last good site is still served"
    [error] = session.hub.errors
    assert error["position"].startswith("content/other.md:2:")
    assert error["source"] == "title: a: b"
    _, body = raw_get(port, "/repo/other/")
    assert b"content/other.md:2:" in body, "a page loaded now shows the overlay too"
    other.write_text("---\ntitle: Other\n---\n\nFixed.\n")
    assert session.rebuild()
    assert session.hub.errors == []


@pytest.mark.parametrize("address", ["8000", "127.0.0.1:", "127.0.0.1:http", "127.0.0.1:99999"])
def test_an_address_that_is_not_host_and_port_is_explained(address: str) -> None:
    with pytest.raises(ValueError, match="is not HOST:PORT with a port from 0 to 65535"):
        parse_address(address)


def test_ipv6_addresses_lose_their_brackets() -> None:
    assert parse_address("[::1]:8001") == ("::1", 8001)
