"""
Measure the memory the upload path takes for large pictures (`make bench-uploads`).

This is a measurement, not a test: it fails only when a picture meant to
be accepted is refused or the other way round, never because memory is
high. Each picture is measured in a fresh Python process that has set up
Django as a gunicorn worker does; the process opens the picture as Django
hands an upload over (a temporary file on disk, above 2.5 MB) and runs one
stage of the artwork path:

- request: what the submission's request does, artworks.images.check (the
  header only; the picture is then stored as sent);
- worker: what the task drawing a work's pictures does,
  artworks.images.prepare, which garden photos share (tongyun.lib.images).

Code from before the pictures left the request has no check(): its request
stage is prepare(), which the request ran then. It reports:

- RSS added: the process's peak resident memory (VmHWM) after the path
  minus before it, in MB: what a worker needs on top of its idle size;
- peak RSS: the process's own peak, the worker's idle size included;
- Python heap: tracemalloc's peak, which sees Python's allocations only
  (Pillow's pixel buffers live outside it).

The pictures are drawn once, with fixed seeds, into bench/out/uploads/.
Results: a Markdown table on stdout and in bench/out/upload_memory.md.
`--code DIR` measures another copy of the project with the same pictures,
for instance the commit before a change:
`git archive COMMIT | tar -x -C /tmp/before`, then `--code /tmp/before`.
"""

import argparse
import io
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PICTURES = OUT / "uploads"
MB = 1024 * 1024
LIMIT_MB = 200  # what the upload path may add to a worker, for any picture


def _photo_like(size, seed, detail):
    """A photo's texture: smooth colour fields, with grain of `detail`."""
    from PIL import Image

    width, height = size
    rng = random.Random(seed)
    small = (max(1, width // 48), max(1, height // 48))
    img = Image.frombytes("RGB", small, rng.randbytes(small[0] * small[1] * 3))
    img = img.resize(size, Image.Resampling.BICUBIC)
    if detail:
        grain = Image.effect_noise(size, detail).convert("RGB")
        img = Image.blend(img, grain, 0.25)
    return img


def _drawing(mode, size):
    """A flat drawing that compresses to almost nothing: a flower on a ground
    (a transparent one in RGBA)."""
    from PIL import Image, ImageDraw

    if mode == "RGBA":
        img = Image.new("RGBA", size, (0, 0, 0, 0))
    else:
        img = Image.new("RGB", size, (236, 242, 236))
    width, height = size
    box = (width // 6, height // 6, width * 5 // 6, height * 5 // 6)
    ImageDraw.Draw(img).ellipse(box, fill=(200, 16, 46))
    return img if mode in ("RGB", "RGBA") else img.convert(mode)


def _jpeg_near(img, target_bytes, **options):
    """img as a JPEG of the highest quality that stays under target_bytes."""
    for quality in range(98, 50, -2):
        buffer = io.BytesIO()
        img.save(buffer, "JPEG", quality=quality, **options)
        if buffer.tell() <= target_bytes:
            return buffer.getvalue()
    raise RuntimeError("no quality makes the picture small enough")


def _encoded(img, fmt, **options):
    buffer = io.BytesIO()
    img.save(buffer, fmt, **options)
    return buffer.getvalue()


# name, file, what it is, drawn by, expected outcome ("accepted" or a code)
CASES = [
    (
        "phone JPEG, 50 MP",
        "phone-50mp.jpg",
        lambda: _jpeg_near(_photo_like((8160, 6120), 1, 24), 14 * MB),
        "accepted",
    ),
    (
        "flat PNG, 6320 × 6320",
        "flat-6320.png",
        lambda: _encoded(_drawing("RGB", (6320, 6320)), "PNG", optimize=True),
        "too_many_pixels",
    ),
    (
        "photo of 20 MB (JPEG, 50 MP)",
        "photo-20mb.jpg",
        lambda: _jpeg_near(_photo_like((8160, 6120), 2, 64), 20 * MB - 4096),
        "accepted",
    ),
    (
        "palette PNG, 6320 × 6320",
        "palette-6320.png",
        lambda: _encoded(_drawing("P", (6320, 6320)), "PNG"),
        "accepted",
    ),
    (
        "grey PNG, 50 MP (largest accepted)",
        "grey-50mp.png",
        lambda: _encoded(_drawing("L", (7070, 7070)), "PNG"),
        "accepted",
    ),
    (
        "colour PNG, 12 MP (largest accepted: a phone photo as PNG)",
        "colour-12mp.png",
        lambda: _encoded(_photo_like((4032, 3024), 3, 0), "PNG"),
        "accepted",
    ),
    (
        "RGBA PNG, 3500 × 3500, half transparent",
        "rgba-3500.png",
        lambda: _encoded(_drawing("RGBA", (3500, 3500)), "PNG"),
        "accepted",
    ),
    (
        "progressive JPEG, 12 MP (largest accepted)",
        "progressive-12mp.jpg",
        lambda: _encoded(
            _photo_like((4032, 3024), 4, 16), "JPEG", quality=90, progressive=True
        ),
        "accepted",
    ),
    (
        "progressive JPEG, 50 MP",
        "progressive-50mp.jpg",
        lambda: _encoded(
            _photo_like((8160, 6120), 5, 16), "JPEG", quality=85, progressive=True
        ),
        "too_many_pixels",
    ),
    (
        "WebP, 3 MP (largest accepted)",
        "webp-3mp.webp",
        lambda: _encoded(_photo_like((2000, 1500), 6, 16), "WEBP", quality=90),
        "accepted",
    ),
]


def _draw_pictures():
    PICTURES.mkdir(parents=True, exist_ok=True)
    for _name, file, draw, _expected in CASES:
        path = PICTURES / file
        if not path.exists():
            print(f"bench: drawing {file} ...", file=sys.stderr)
            path.write_bytes(draw())


def _peak_rss():
    """This process's peak resident memory in bytes. VmHWM, not ru_maxrss:
    Linux carries ru_maxrss over from the parent that started the process."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status: Linux only")


STAGES = {"request": "in the request", "worker": "in the worker"}


def _measure(path, stage):
    """In this (fresh) process: one stage of the upload path for one
    picture, as JSON."""
    import tracemalloc

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongyun.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)
    django.setup()
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import TemporaryUploadedFile
    from PIL import Image

    from artworks import images

    size = path.stat().st_size
    upload = TemporaryUploadedFile(path.name, "application/octet-stream", size, None)
    with path.open("rb") as source:
        while chunk := source.read(64 * 1024):
            upload.write(chunk)
    upload.seek(0)
    with Image.open(path) as img:
        pixels = img.width * img.height
    before = _peak_rss()
    tracemalloc.start()
    started = time.perf_counter()
    check = getattr(images, "check", None) if stage == "request" else None
    try:
        if check is not None:
            check(upload)
            shown = "checked"
        else:
            prepared = images.prepare(upload)
            shown = f"{prepared.display.width} × {prepared.display.height}"
        outcome = "accepted"
    except ValidationError as refusal:
        outcome = refusal.code
        shown = refusal.code + (f" {refusal.params}" if refusal.params else "")
    seconds = time.perf_counter() - started
    _current, heap = tracemalloc.get_traced_memory()
    after = _peak_rss()
    upload.close()
    return {
        "file_mb": size / MB,
        "pixels": pixels,
        "outcome": outcome,
        "shown": shown,
        "seconds": seconds,
        "added_mb": (after - before) / MB,
        "peak_mb": after / MB,
        "heap_mb": heap / MB,
    }


def _run(code, path, stage):
    result = subprocess.run(
        [sys.executable, __file__, "--measure", str(path), "--stage", stage],
        cwd=code,
        env={**os.environ, "PYTHONPATH": str(code)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{path.name}: {result.stderr.strip()[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _commit(code):
    try:
        run = subprocess.run(
            ["git", "-C", str(code), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    commit = run.stdout.strip()
    dirty = subprocess.run(["git", "-C", str(code), "diff", "--quiet", "HEAD", "--"])
    return commit + ("+dirty" if dirty.returncode else "")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout to measure")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--stage", choices=STAGES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(_measure(args.measure, args.stage)))
        return 0

    _draw_pictures()
    code = args.code.resolve()
    lines = [
        f"{time.strftime('%Y-%m-%d %H:%M %Z')} · commit {_commit(code)} · "
        f"Python {sys.version.split()[0]} · each picture in a fresh process "
        "with Django set up",
    ]
    wrong = []
    for stage, heading in STAGES.items():
        lines += [
            "",
            f"{heading.capitalize()}:",
            "",
            "| picture | file MB | MP | outcome | s | RSS added MB "
            "| added / file | added / 200 MB | peak RSS MB | Python heap MB |",
            "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|",
        ]
        for name, file, _draw, expected in CASES:
            print(f"bench: measuring {file} {heading} ...", file=sys.stderr)
            row = _run(code, PICTURES / file, stage)
            if row["outcome"] != expected:
                wrong.append(f"{file} {heading}: {row['shown']}, expected {expected}")
            lines.append(
                f"| {name} | {row['file_mb']:.2f} | {row['pixels'] / 1e6:.1f} "
                f"| {row['shown']} | {row['seconds']:.2f} "
                f"| {row['added_mb']:.0f} "
                f"| {row['added_mb'] / row['file_mb']:.0f} "
                f"| {row['added_mb'] / LIMIT_MB:.2f} | {row['peak_mb']:.0f} "
                f"| {row['heap_mb']:.1f} |"
            )
    report = "\n".join(lines) + "\n"
    print(report)
    if code == ROOT:
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / "upload_memory.md").write_text(report)
    if wrong:
        print("bench: outcome not as expected:", *wrong, sep="\n  ", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
