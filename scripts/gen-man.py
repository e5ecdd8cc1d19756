#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Write perfanity's man pages from the built binary's --help texts, so that the two
cannot drift: the help texts are the one source.

    gen-man.py BINARY OUTDIR

writes OUTDIR/perfanity.1 and OUTDIR/perfanity-SUBCOMMAND.1 for every subcommand listed
under "Commands:" in `BINARY --help`. The help texts follow one shape (see src/main.c and
each subcommand's usage()): "Usage:" lines, paragraphs, definition lists (an option or name,
two or more spaces, its description, continuation lines indented deeper), and sections
headed "Name:". The date comes from SOURCE_DATE_EPOCH when set (reproducible builds).
"""
import os
import re
import subprocess
import sys
import time

HEADING = re.compile(r"^([A-Z][A-Za-z ]*):$")
ITEM = re.compile(r"^( {2,})(\S.*?)(?: {2,}(\S.*))?$")


def die(msg):
    print(f"gen-man.py: {msg}", file=sys.stderr)
    sys.exit(2)


def help_text(binary, *args):
    p = subprocess.run([binary, *args, "--help"], capture_output=True, text=True)
    if p.returncode != 0 or not p.stdout.startswith("Usage:"):
        die(f"'{binary} {' '.join(args)} --help' failed (exit {p.returncode}): {p.stderr.strip()}")
    return p.stdout


def esc(text):
    """Text as roff: backslashes, option dashes as minus signs, non-ASCII as named glyphs."""
    text = text.replace("\\", "\\e")
    text = re.sub(r"(?<![\w.])-", r"\\-", text)
    text = "".join(c if ord(c) < 128 else f"\\[u{ord(c):04X}]" for c in text)
    return "\\&" + text if text[:1] in (".", "'") else text


def blocks(text):
    """Paragraphs of the help text: lists of lines, blank lines removed."""
    out, cur = [], []
    for line in text.rstrip("\n").split("\n"):
        if line.strip():
            cur.append(line.rstrip())
        elif cur:
            out.append(cur)
            cur = []
    if cur:
        out.append(cur)
    return out


def is_list(lines):
    """A definition list: every line indented; items are term, 2+ spaces, description."""
    return all(l.startswith("  ") for l in lines) and ITEM.match(lines[0])


def render_list(lines, examples=False):
    """.TP items; a line indented up to its item's description column continues it.
    Examples without a description are command lines of their own."""
    out, desc_col = [], None
    for line in lines:
        lead = len(line) - len(line.lstrip())
        m = ITEM.match(line)
        if desc_col is not None and lead >= desc_col - 1 or not m:
            out.append(esc(line.strip()))
            continue
        desc_col = m.start(3) if m.group(3) else lead + 4
        if examples and not m.group(3):
            out += [".PP", ".B " + esc(m.group(2))]
            continue
        out += [".TP", ".B " + esc(m.group(2))]
        if m.group(3):
            out.append(esc(m.group(3)))
    return out


def parse(text):
    """(synopsis lines, description roff, options roff, [(section name, roff)])."""
    synopsis, desc, options, sections = [], [], [], []
    for b in blocks(text):
        head = HEADING.match(b[0])
        if b[0].startswith("Usage:"):
            synopsis = [l.replace("Usage:", "", 1).strip() for l in b]
        elif head:
            name = head.group(1).upper()
            sections.append((name, render_list(b[1:], examples=name == "EXAMPLES")))
        elif is_list(b):
            options += render_list(b)
        else:
            desc += [".PP", *(esc(l.strip()) for l in b)]
    return synopsis, desc, options, sections


def page(name, summary, text, version, date, see_also):
    synopsis, desc, options, sections = parse(text)
    out = [f'.TH {name.upper()} 1 "{date}" "perfanity {version}" "User Commands"',
           ".SH NAME", f"{esc(name)} \\- {esc(summary)}",
           ".SH SYNOPSIS", ".nf", *(esc(l) for l in synopsis), ".fi"]
    if desc:
        out += [".SH DESCRIPTION", *desc]
    if options:
        out += [".SH OPTIONS", *options]
    for section, body in sections:
        out += [f".SH {section}", *body]
    out += [".SH SEE ALSO", ",\n".join(f".BR {p} (1)" for p in see_also)]
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) != 3:
        die("usage: gen-man.py BINARY OUTDIR")
    binary, outdir = sys.argv[1:]
    version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.split()[-1]
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", time.time()))
    date = time.strftime("%Y-%m-%d", time.gmtime(epoch))
    top = help_text(binary)
    commands = {}
    for b in blocks(top):
        if b[0] == "Commands:":
            commands = dict(ITEM.match(l).group(2, 3) for l in b[1:])
    if not commands:
        die(f"'{binary} --help' lists no Commands:")
    pages = ["perfanity"] + [f"perfanity-{c}" for c in commands]
    summary = next(b[0] for b in blocks(top) if not b[0].startswith(("Usage:", " ")) and not HEADING.match(b[0]))
    os.makedirs(outdir, exist_ok=True)
    texts = {"perfanity": (summary[0].lower() + summary[1:].rstrip("."), top)}
    for c, s in commands.items():
        texts[f"perfanity-{c}"] = (s, help_text(binary, c))
    for name, (s, text) in texts.items():
        with open(os.path.join(outdir, f"{name}.1"), "w") as f:
            f.write(page(name, s, text, version, date, [p for p in pages if p != name]))


if __name__ == "__main__":
    main()
