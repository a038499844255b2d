/*
 * health_html: the page of `status --html FILE`, for operators who would
 * rather look than read. Pure: the health model (the input status --check
 * evaluates, its verdict) and the snapshot timelines in, one self-contained
 * HTML document out: no external asset, no script, styles inline, pictures
 * as inline SVG. Every text that comes from the host (pool, vdev, device and
 * dataset names, ZFS messages) is HTML-escaped (html_escape), in text and in
 * attribute values alike.
 *
 * The page: a header with the verdict (OK / WARNING / CRITICAL / UNKNOWN) and
 * its problems; one card per pool (<section class="pool ..." data-pool=NAME
 * data-state=STATE>, the class "degraded" or "faulted" when it is not
 * ONLINE) with its state, a capacity bar coloured by the thresholds, the last
 * scrub and its age, and the vdev tree with the lost devices and error
 * counters marked; a pool of the config that is not imported as a card
 * "absent"; a table of the disks with a wear bar; per covered dataset an SVG
 * timeline of its snapshots (one row per class, one tick per snapshot, the
 * foreign ones in grey, the newest of each class named with its age; the
 * age axis is logarithmic, from the oldest snapshot, at least a day back, to
 * now, with marks at 1h, 1d, 7d, 30d and 1y).
 */
#ifndef PH_HEALTH_HTML_H
#define PH_HEALTH_HTML_H
#include <stddef.h>
#include <stdint.h>

#include "plan/health_check.h"
#include "util/strbuf.h"

struct hh_snap {
	int64_t time;       /* the time in its name (ours), or its creation (foreign) */
	int cls;            /* enum snap_class, -1 foreign */
};

struct hh_dataset {
	const char *name;
	const char *policy;
	const char *const *classes;  /* the classes its policy keeps, in order ("hourly", ...) */
	const int *class_ids;        /* their enum snap_class values */
	size_t n_classes;
	const struct hh_snap *snaps;
	size_t n_snaps;
};

struct hh_model {
	const char *host;                 /* shown in the title; may be NULL */
	const struct hc_input *in;        /* pools, absent pools, disks, now */
	const struct hc_result *verdict;
	const struct hc_thresholds *thresholds;
	const struct hh_dataset *datasets;
	size_t n_datasets;
};

/* s with & < > " ' as entities appended to sb (control characters but TAB and newline as U+FFFD). */
void html_escape(struct strbuf *sb, const char *s);

/* The document. Caller frees. */
char *health_html(const struct hh_model *m);

#endif
