"""Static files under versioned URLs, cached for a year, so a repeat visit asks for none.

`static_url("css/app.css")` gives `/static/css/app.css?v=<content hash>`; a
request carrying the current hash is answered `public, max-age=31536000,
immutable`, anything else `no-cache`. ES modules import each other by
relative path (`./idb.js`); those specifiers are rewritten as the module is
served to carry the imported file's hash too, so a module's hash covers
everything it imports and no build step is needed.
"""
import hashlib
import re
from pathlib import Path

from flask import Flask, Response, abort, current_app, request, url_for
from werkzeug.security import safe_join

YEAR = 31536000
TEXT = {"js": "text/javascript", "css": "text/css", "svg": "image/svg+xml"}
IMPORT = re.compile(r"""(\bfrom\s*|\bimport\s*\(\s*)(["'])\./([\w.-]+\.js)\2""")

_modules: dict[str, tuple[tuple, bytes, str]] = {}  # name -> (stamp, body, version)
_files: dict[str, tuple[int, str]] = {}


def _path(filename: str) -> Path:
    joined = safe_join(current_app.static_folder, filename)
    if joined is None or not Path(joined).is_file():
        raise FileNotFoundError(filename)
    return Path(joined)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def lean(source: str) -> str:
    """The module without its comment lines: a phone on a poor signal pays for every byte (a fifth of
    the scripts, gzipped, is comments). Only whole lines go — a `//` line, or a `/* */` block that starts
    a line and ends one — and none inside a template literal (an odd count of backticks so far); a comment
    after code on the same line stays. The files on disk keep their comments for the people reading them."""
    kept, block, ticks = [], False, 0
    for line in source.split("\n"):
        text = line.strip()
        if block:
            block = not text.endswith("*/")
            continue
        if ticks % 2 == 0 and (text.startswith("//") or (text.startswith("/*") and "*/" not in text[2:-2])):
            block = text.startswith("/*") and not text[2:].endswith("*/")
            continue
        ticks += line.count("`")
        kept.append(line)
    return "\n".join(kept)


def module(filename: str, _seen: tuple = ()) -> tuple[bytes, str]:
    """An ES module as served (imports versioned, comment lines gone) and its version."""
    if filename in _seen:
        raise ValueError(f"import cycle through {filename}")
    path = _path(filename)
    source = path.read_text()
    folder = filename.rsplit("/", 1)[0] + "/" if "/" in filename else ""
    deps = {name: module(folder + name, _seen + (filename,))[1] for name in set(m[3] for m in IMPORT.finditer(source))}
    stamp = (path.stat().st_mtime_ns, tuple(sorted(deps.items())))
    cached = _modules.get(filename)
    if cached is None or cached[0] != stamp:
        body = IMPORT.sub(lambda m: f"{m[1]}{m[2]}./{m[3]}?v={deps[m[3]]}{m[2]}", lean(source)).encode()
        cached = (stamp, body, _digest(body))
        _modules[filename] = cached
    return cached[1], cached[2]


_graphs: dict[tuple, list[str]] = {}  # entry modules -> preload URLs
_frozen: dict[str, str] = {}  # outside development, a process serves the files it started with


def version(filename: str) -> str:
    """The content hash that names this version of a static file (looked at once per process in production)."""
    if current_app.debug or current_app.testing:
        return _version(filename)
    found = _frozen.get(filename)
    if found is None:
        found = _frozen[filename] = _version(filename)
    return found


def _version(filename: str) -> str:
    if filename.endswith(".js"):
        return module(filename)[1]
    path = _path(filename)
    stamp = path.stat().st_mtime_ns
    cached = _files.get(filename)
    if cached is None or cached[0] != stamp:
        cached = (stamp, _digest(path.read_bytes()))
        _files[filename] = cached
    return cached[1]


def static_url(filename: str) -> str:
    """The versioned URL of a static file."""
    return url_for("static", filename=filename, v=version(filename))


def serve(filename: str) -> Response:
    """Serve a static file: modules with versioned imports; long-lived when the version matches."""
    try:
        current = version(filename)
    except FileNotFoundError:
        abort(404)
    if filename.endswith(tuple(f".{ext}" for ext in TEXT)):  # read whole, so they can be compressed (pwa.config._compression_settings)
        body = module(filename)[0] if filename.endswith(".js") else _path(filename).read_bytes()
        response = Response(body, mimetype=TEXT[filename.rsplit(".", 1)[1]])
        response.add_etag()
        response.make_conditional(request)
    else:
        response = current_app.send_static_file(filename)
    if request.args.get("v") == current:
        response.cache_control.no_cache = None
        response.cache_control.public = True
        response.cache_control.max_age = YEAR
        response.cache_control.immutable = True
    else:
        response.cache_control.no_cache = True
    return response


def module_preloads(*entries: str) -> list[str]:
    """Versioned URLs of these modules and of everything they import statically, for `<link rel=modulepreload>`.

    A module's static imports are found only once it has arrived; preloading the whole graph lets a
    phone on a slow network fetch it in one round trip instead of one per level of imports.
    """
    if entries in _graphs and not (current_app.debug or current_app.testing):
        return _graphs[entries]
    found: list[str] = []

    def walk(filename: str) -> None:
        if filename in found:
            return
        found.append(filename)
        folder = filename.rsplit("/", 1)[0] + "/" if "/" in filename else ""
        for m in IMPORT.finditer(_path(filename).read_text()):
            if m[1].startswith("from"):
                walk(folder + m[3])

    for entry in entries:
        walk(entry)
    _graphs[entries] = [static_url(name) for name in found]
    return _graphs[entries]


def install(app: Flask) -> None:
    """Serve static files through `serve` and give templates `static_url` and `module_preloads`."""
    app.view_functions["static"] = serve
    app.jinja_env.globals["static_url"] = static_url
    app.jinja_env.globals["module_preloads"] = module_preloads
