/* SPDX-License-Identifier: GPL-2.0-only */
/* A flame graph as one self-contained SVG: frames as nested boxes whose
 * widths are proportional to their counts, a tower per root frame (one per
 * process in perfanity's stacks) on a common base, and a small inline
 * script: click a frame to zoom to it, click the base (or Escape) to zoom
 * out, Search (or Ctrl-F) highlights the frames matching a regular
 * expression and says what share of the total they hold. */
#ifndef PF_FLAME_SVG_H
#define PF_FLAME_SVG_H
#include <stdio.h>

#define PF_FLAME_WIDTH 1200 /* px */
#define PF_FLAME_FRAME_H 16 /* px per frame */

/* folded: lines "frame;frame;... count" (counts are whole numbers; lines
 * that do not end in one are skipped, as FlameGraph does). unit names the
 * counts ("us"). Returns 0, or -1 when out of memory or on a write error. */
int pf_flame_svg(FILE *out, const char *folded, const char *title, const char *unit);

#endif
