# SPDX-License-Identifier: GPL-2.0-only
"""perfanity's local package index: a PEP 503 simple index over HTTP (stdlib only,
run with Debian's /usr/bin/python3). scripts/local-index.sh starts it inside the
index's network namespace; see docs/bench.md, "Installers through a local index".

  local_index.py --dir DIR --host ADDR --port N [--delay-file FILE]

Serves every wheel (*.whl) and sdist (*.tar.gz, *.zip, *.tar.bz2) found directly in
DIR:
  /simple/                  one link per project (PEP 503 normalized name)
  /simple/<name>/           one link per file, to /files/<file>#sha256=<digest>
  /files/<file>             the file itself (one byte range of it for a Range request)
A project page asked for by a name that is not normalized redirects (301) to the
normalized one; /simple/<name> without the slash redirects to it with the slash.
DIR is listed again on every index page, so a file added or removed shows at once
(digests are kept per (name, size, mtime)).

Latency: the kernel here has no netem qdisc, so the server adds it: before each
response it sleeps the number of milliseconds written in --delay-file (read on every
request, so a network profile changes without a restart; missing or empty: 0).
Bandwidth is shaped outside, with tc tbf on the veth pair (local-index.sh).

Why http.server's ThreadingHTTPServer: it is in the standard library (nothing to pin
or install, so the index works before any set-up and cannot fail to build), a
thread per connection is what lets one installer's parallel downloads (uv opens
several connections) proceed while one of them sleeps its added latency, and an
index of a few hundred files needs no more than that: the time measured is the
installers', and the server's few milliseconds per request are small next to the
profiles' figures (and the same for every installer). HTTP/1.1 with Content-Length
on every response keeps connections alive, as a real index (PyPI's CDN) does.
"""
import argparse
import hashlib
import html
import os
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, unquote, urlsplit

DIST_SUFFIXES = (".whl", ".tar.gz", ".zip", ".tar.bz2")
# PyPI's caching headers: a file never changes (its name and hash say what it is), an index
# page may. Without them pip's HTTP cache keeps nothing and uv revalidates, so a "warm
# cache" would download (uv: and rebuild an sdist's wheel) again.
FILE_CACHE = "max-age=365000000, immutable, public"
PAGE_CACHE = "max-age=600, public"


def normalize(name: str) -> str:
    """PEP 503's normalized project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def project_of(filename: str) -> str:
    """The project a distribution file belongs to, from its name alone: a wheel's
    first dash-separated field; an sdist's name-version with the version (after the
    last dash) removed. '' if it is not a distribution."""
    if filename.endswith(".whl"):
        return filename.split("-", 1)[0]
    for suffix in DIST_SUFFIXES[1:]:
        if filename.endswith(suffix):
            stem = filename[: -len(suffix)]
            return stem.rsplit("-", 1)[0] if "-" in stem else ""
    return ""


class Index:
    def __init__(self, root: str, delay_file: str):
        self.root = root
        self.delay_file = delay_file
        self.digests = {}  # (name, size, mtime_ns) -> sha256 hex
        self.lock = threading.Lock()

    def delay_s(self) -> float:
        if not self.delay_file:
            return 0.0
        try:
            with open(self.delay_file) as f:
                text = f.read().strip()
            return max(0.0, float(text or 0)) / 1000.0
        except (OSError, ValueError):
            return 0.0

    def projects(self) -> dict:
        """normalized name -> sorted list of file names"""
        out = {}
        for entry in os.scandir(self.root):
            if not entry.is_file():
                continue
            project = project_of(entry.name)
            if project:
                out.setdefault(normalize(project), []).append(entry.name)
        return {k: sorted(v) for k, v in sorted(out.items())}

    def sha256(self, name: str) -> str:
        path = os.path.join(self.root, name)
        st = os.stat(path)
        key = (name, st.st_size, st.st_mtime_ns)
        with self.lock:
            if key in self.digests:
                return self.digests[key]
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        with self.lock:
            self.digests[key] = h.hexdigest()
        return self.digests[key]


def page(title: str, links) -> bytes:
    body = "".join(f'    <a href="{html.escape(href)}">{html.escape(text)}</a><br/>\n'
                   for href, text in links)
    return (f"<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" "
            f"content=\"1.0\">\n    <title>{html.escape(title)}</title>\n  </head>\n  <body>\n"
            f"    <h1>{html.escape(title)}</h1>\n{body}  </body>\n</html>\n").encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "perfanity-local-index/1"
    index: Index = None  # set by main()

    def log_message(self, fmt, *args):  # one line per request, to the server's log
        sys.stderr.write("%s %s\n" % (self.log_date_time_string(), fmt % args))

    def send_bytes(self, code: int, body: bytes, ctype: str = "text/html; charset=utf-8",
                   headers=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def redirect(self, location: str):
        self.send_bytes(301, b"", headers=[("Location", location)])

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        delay = self.index.delay_s()
        if delay:
            time.sleep(delay)
        path = unquote(urlsplit(self.path).path)
        parts = [p for p in path.split("/") if p]
        try:
            if parts == ["simple"] or not parts:
                if not path.endswith("/") or not parts:
                    return self.redirect("/simple/")
                links = [(f"{quote(name)}/", name) for name in self.index.projects()]
                return self.send_bytes(200, page("Simple index", links),
                                       headers=[("Cache-Control", PAGE_CACHE)])
            if len(parts) == 2 and parts[0] == "simple":
                name = normalize(parts[1])
                if name != parts[1] or not path.endswith("/"):
                    return self.redirect(f"/simple/{quote(name)}/")
                files = self.index.projects().get(name)
                if files is None:
                    return self.send_bytes(404, b"no such project\n", "text/plain")
                links = [(f"../../files/{quote(f)}#sha256={self.index.sha256(f)}", f) for f in files]
                return self.send_bytes(200, page(f"Links for {name}", links),
                                       headers=[("Cache-Control", PAGE_CACHE)])
            if len(parts) == 2 and parts[0] == "files" and project_of(parts[1]):
                return self.send_file(parts[1])
        except (BrokenPipeError, ConnectionResetError):
            return
        self.send_bytes(404, b"not found\n", "text/plain")

    def send_file(self, name: str):
        """The file, or one byte range of it (a wheel's metadata read from its end,
        as uv does before downloading), as PyPI's CDN serves them."""
        path = os.path.join(self.index.root, name)
        try:
            f = open(path, "rb")
        except OSError:
            return self.send_bytes(404, b"not found\n", "text/plain")
        with f:
            size = os.fstat(f.fileno()).st_size
            start, end = 0, size - 1
            m = re.fullmatch(r"bytes=(\d*)-(\d*)", self.headers.get("Range", "").strip())
            if m and (m.group(1) or m.group(2)):
                if m.group(1):
                    start = int(m.group(1))
                    end = min(int(m.group(2)), size - 1) if m.group(2) else size - 1
                else:
                    start = max(0, size - int(m.group(2)))
                if start > end or start >= size:
                    return self.send_bytes(416, b"", "text/plain",
                                           [("Content-Range", f"bytes */{size}")])
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
            else:
                m = None
                self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Cache-Control", FILE_CACHE)
            self.send_header("Content-Length", str(end - start + 1))
            self.end_headers()
            if self.command == "HEAD":
                return
            f.seek(start)
            left = end - start + 1
            while left > 0:
                chunk = f.read(min(left, 1 << 16))
                if not chunk:
                    break
                self.wfile.write(chunk)
                left -= len(chunk)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dir", required=True)
    ap.add_argument("--host", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--delay-file", default="")
    a = ap.parse_args()
    if not os.path.isdir(a.dir):
        print(f"local index: {a.dir}: not a directory", file=sys.stderr)
        sys.exit(2)
    Handler.index = Index(os.path.abspath(a.dir), a.delay_file)
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.allow_reuse_address = True
    ThreadingHTTPServer.request_queue_size = 64  # parallel downloads (uv) connect at once
    try:
        server = ThreadingHTTPServer((a.host, a.port), Handler)
    except OSError as e:
        print(f"local index: cannot listen on {a.host}:{a.port}: {e.strerror}", file=sys.stderr)
        sys.exit(1)
    print(f"local index: serving {a.dir} on http://{a.host}:{a.port}/simple/", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
