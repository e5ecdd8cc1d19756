// SPDX-License-Identifier: GPL-2.0-only
/* Flame graphs as SVG (flame_svg.h), written from scratch for perfanity:
 * the folded lines are merged into a tree (children by name), each node laid
 * out at its share of the total; every frame keeps its place as fractions
 * (data-x, data-w) so that the script can zoom without the stacks. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "flame_svg.h"
#include "pf_util.h"

#define PAD 10
#define TOP 40 /* room for the title and the search line */
#define CHAR_PX 7.0

struct node {
	char *name;
	uint64_t count;
	struct node *kids;
	size_t nkids, cap;
};

static struct node *child(struct node *n, const char *name, size_t len)
{
	struct node *k;

	for (size_t i = 0; i < n->nkids; i++)
		if (strlen(n->kids[i].name) == len && !memcmp(n->kids[i].name, name, len))
			return &n->kids[i];
	if (PF_GROW(n->kids, n->cap, n->nkids, 4))
		return NULL;
	k = &n->kids[n->nkids];
	*k = (struct node){ .name = strndup(name, len) };
	if (!k->name)
		return NULL;
	n->nkids++;
	return k;
}

/* One line "a;b;c N" into the tree. -1 when out of memory. */
static int add_line(struct node *root, const char *line, size_t len)
{
	const char *sp = line + len;
	char *end;
	unsigned long long count;
	struct node *n = root;

	while (sp > line && sp[-1] != ' ')
		sp--;
	if (sp == line || sp == line + len)
		return 0;
	count = strtoull(sp, &end, 10);
	if (end != line + len || !count)
		return 0;
	root->count += count;
	for (const char *f = line, *stop = sp - 1; f < stop;) {
		const char *semi = memchr(f, ';', (size_t)(stop - f));
		size_t flen = semi ? (size_t)(semi - f) : (size_t)(stop - f);

		if (!(n = child(n, f, flen)))
			return -1;
		n->count += count;
		f += flen + 1;
	}
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct node *)a)->name, ((const struct node *)b)->name);
}

static void sort_tree(struct node *n)
{
	if (n->nkids)
		qsort(n->kids, n->nkids, sizeof(*n->kids), by_name);
	for (size_t i = 0; i < n->nkids; i++)
		sort_tree(&n->kids[i]);
}

static int tree_depth(const struct node *n)
{
	int d = 0;

	for (size_t i = 0; i < n->nkids; i++) {
		int k = tree_depth(&n->kids[i]);

		if (k > d)
			d = k;
	}
	return d + 1;
}

static void free_tree(struct node *n)
{
	for (size_t i = 0; i < n->nkids; i++)
		free_tree(&n->kids[i]);
	free(n->kids);
	free(n->name);
}

/* Text for XML: markup characters as entities, control characters and bytes
 * that are not UTF-8 as '?' (XML 1.0 admits neither); at most max bytes of
 * the source, ".." appended when cut. */
static void put_xml(FILE *out, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t done = 0;

	while (*p && done < max) {
		int n = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : (*p & 0xf8) == 0xf0 ? 4 : 0;
		bool ok = n > 0;

		for (int i = 1; i < n && ok; i++)
			ok = (p[i] & 0xc0) == 0x80;
		if (!ok || (n == 1 && *p < 0x20 && *p != '\t')) {
			fputc('?', out);
			p++;
		} else if (*p == '&' || *p == '<' || *p == '>' || *p == '"' || *p == '\'') {
			fputs(*p == '&'   ? "&amp;"
			      : *p == '<' ? "&lt;"
			      : *p == '>' ? "&gt;"
			      : *p == '"' ? "&quot;"
					  : "&#39;",
			      out);
			p++;
		} else {
			fwrite(p, 1, (size_t)n, out);
			p += n;
		}
		done++;
	}
	if (*p)
		fputs("..", out);
}

/* A warm colour from the name, so a frame keeps its colour across graphs. */
static void colour(const char *name, char *buf, size_t len)
{
	unsigned h = 2166136261u;

	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 16777619u;
	snprintf(buf, len, "rgb(%u,%u,%u)", 205 + h % 50, 80 + (h >> 8) % 150, 40 + (h >> 16) % 50);
}

struct layout {
	FILE *out;
	uint64_t total;
	int depth; /* levels above the base */
	const char *unit;
};

/* A frame at depth d (0: the base) starting at x (in counts from the left). */
static void put_frame(const struct layout *l, const struct node *n, uint64_t x, int d)
{
	double span = PF_FLAME_WIDTH - 2 * PAD, fx = (double)x / (double)l->total,
	       fw = (double)n->count / (double)l->total, w = fw * span;
	double y = TOP + (l->depth - d) * PF_FLAME_FRAME_H;
	char fill[32];

	colour(n->name, fill, sizeof(fill));
	fprintf(l->out, "<g class=\"f\" data-x=\"%.9f\" data-w=\"%.9f\" data-d=\"%d\"><title>", fx, fw, d);
	put_xml(l->out, n->name, (size_t)-1);
	fprintf(l->out,
		" (%llu %s, %.2f%%)</title><rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%d\" fill=\"%s\"/>",
		(unsigned long long)n->count, l->unit, 100.0 * fw, PAD + fx * span, y, w, PF_FLAME_FRAME_H - 1, fill);
	fprintf(l->out, "<text x=\"%.2f\" y=\"%.1f\">", PAD + fx * span + 3, y + PF_FLAME_FRAME_H - 4);
	if (w > 3 * CHAR_PX)
		put_xml(l->out, n->name, (size_t)((w - 6) / CHAR_PX) - 2);
	fputs("</text></g>\n", l->out);
}

static void put_tree(const struct layout *l, const struct node *n, uint64_t x, int d)
{
	put_frame(l, n, x, d);
	for (size_t i = 0; i < n->nkids; i++) {
		put_tree(l, &n->kids[i], x, d + 1);
		x += n->kids[i].count;
	}
}

/* Zoom and search, inline: the file needs nothing else. Frames keep their
 * place as fractions of the total (data-x, data-w) and their depth (data-d);
 * once set up, the script marks the svg with data-flame-ready. */
static const char script[] =
	"<script type=\"text/ecmascript\"><![CDATA[\n"
	"(function () {\n"
	"  var svg = document.currentScript.closest('svg'), W = +svg.getAttribute('width') - 2 * 10;\n"
	"  var frames = Array.prototype.slice.call(svg.querySelectorAll('g.f'));\n"
	"  function num(g, a) { return +g.getAttribute(a); }\n"
	"  function name(g) { return g.querySelector('title').textContent.replace(/ \\([^()]*\\)$/, ''); }\n"
	"  function place(g, x, w) {\n"
	"    var r = g.querySelector('rect'), t = g.querySelector('text'), n = name(g), fit = Math.floor((w * W - 6) / 7);\n"
	"    g.style.display = '';\n"
	"    r.setAttribute('x', (10 + x * W).toFixed(2)); r.setAttribute('width', (w * W).toFixed(2));\n"
	"    t.setAttribute('x', (13 + x * W).toFixed(2));\n"
	"    t.textContent = fit < 3 ? '' : n.length <= fit ? n : n.slice(0, fit - 2) + '..';\n"
	"  }\n"
	"  function zoom(z) {\n"
	"    var zx = num(z, 'data-x'), zw = num(z, 'data-w'), zd = num(z, 'data-d'), e = 1e-9;\n"
	"    frames.forEach(function (g) {\n"
	"      var x = num(g, 'data-x'), w = num(g, 'data-w'), d = num(g, 'data-d');\n"
	"      if (d < zd && x <= zx + e && x + w >= zx + zw - e) place(g, 0, 1);\n"
	"      else if (d >= zd && x >= zx - e && x + w <= zx + zw + e) place(g, (x - zx) / zw, w / zw);\n"
	"      else g.style.display = 'none';\n"
	"    });\n"
	"  }\n"
	"  function search(re) {\n"
	"    var spans = [], sum = 0, end = -1, m = svg.querySelector('.pf-matched');\n"
	"    frames.forEach(function (g) {\n"
	"      var hit = !!re && re.test(name(g));\n"
	"      g.setAttribute('class', hit ? 'f hl' : 'f');\n"
	"      if (hit) spans.push([num(g, 'data-x'), num(g, 'data-x') + num(g, 'data-w')]);\n"
	"    });\n"
	"    spans.sort(function (a, b) { return a[0] - b[0]; });\n"
	"    spans.forEach(function (s) { if (s[1] > end) { sum += s[1] - Math.max(s[0], end); end = s[1]; } });\n"
	"    m.textContent = re ? 'Matched: ' + (100 * sum).toFixed(2) + '%' : '';\n"
	"  }\n"
	"  function ask() {\n"
	"    var s = window.prompt('Search frames (a regular expression)', '');\n"
	"    if (s === null) return;\n"
	"    try { search(s ? new RegExp(s) : null); } catch (err) { search(null); }\n"
	"  }\n"
	"  frames.forEach(function (g) { g.addEventListener('click', function () { zoom(g); }); });\n"
	"  svg.querySelector('.pf-search').addEventListener('click', ask);\n"
	"  svg.querySelector('.pf-reset').addEventListener('click', function () { zoom(frames[0]); search(null); });\n"
	"  svg.addEventListener('mouseenter', function () { window.pfFlameKeys = svg; });\n"
	"  if (!window.pfFlameKeys) window.pfFlameKeys = svg;\n"
	"  window.addEventListener('keydown', function (e) {\n"
	"    if (window.pfFlameKeys !== svg) return; /* the graph last pointed at, on a page of several */\n"
	"    if ((e.ctrlKey || e.metaKey) && e.key === 'f') { e.preventDefault(); ask(); }\n"
	"    else if (e.key === 'Escape') { zoom(frames[0]); search(null); }\n"
	"  });\n"
	"  svg.setAttribute('data-flame-ready', String(frames.length));\n"
	"})();\n"
	"]]></script>\n";

static void put_head(FILE *out, const char *title, int height)
{
	fprintf(out,
		"<svg class=\"pf-flame\" xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\">\n"
		"<style>text { font: 12px monospace; fill: #000; pointer-events: none; } g.f { cursor: pointer; } "
		"g.f:hover rect { stroke: #000; stroke-width: 0.5; } g.hl rect { fill: rgb(230,0,230); } "
		".ui { font: 12px sans-serif; cursor: pointer; fill: #335; pointer-events: auto; }</style>\n"
		"<rect width=\"100%%\" height=\"100%%\" fill=\"#fdfdf5\"/>\n<text x=\"%d\" y=\"18\" "
		"style=\"font-size: 15px\">",
		PF_FLAME_WIDTH, height, PF_FLAME_WIDTH, height, PAD);
	put_xml(out, title, (size_t)-1);
	fprintf(out,
		"</text>\n<text class=\"ui pf-reset\" x=\"%d\" y=\"34\">Reset zoom (Esc)</text>"
		"<text class=\"ui pf-search\" x=\"%d\" y=\"34\">Search (Ctrl-F)</text>"
		"<text class=\"pf-matched\" x=\"%d\" y=\"34\"></text>\n",
		PAD, PF_FLAME_WIDTH - 300, PF_FLAME_WIDTH - 180);
}

static int build_tree(struct node *root, const char *folded)
{
	for (const char *l = folded; l && *l;) {
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) : strlen(l);

		while (len && (l[len - 1] == '\r' || l[len - 1] == ' '))
			len--;
		if (add_line(root, l, len))
			return -1;
		l = nl ? nl + 1 : l + len;
	}
	sort_tree(root);
	return 0;
}

int pf_flame_svg(FILE *out, const char *folded, const char *title, const char *unit)
{
	struct node root = { .name = strdup("all") };
	struct layout l = { .out = out, .unit = unit };
	int height;

	if (!root.name || build_tree(&root, folded)) {
		free_tree(&root);
		return -1;
	}
	l.total = root.count ? root.count : 1;
	l.depth = tree_depth(&root) - 1;
	height = TOP + (l.depth + 1) * PF_FLAME_FRAME_H + PAD;
	put_head(out, title, height);
	if (root.count)
		put_tree(&l, &root, 0, 0);
	else
		fprintf(out, "<text x=\"%d\" y=\"%d\">no samples</text>\n", PAD, TOP + 12);
	fputs(script, out);
	fputs("</svg>\n", out);
	free_tree(&root);
	return ferror(out) ? -1 : 0;
}
