/* Unit tests: the ZFS planner (pure: config + recorded state -> ordered actions) and config checks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <cmocka.h>

#include "config/zfs_config.h"
#include "plan/mounts.h"
#include "plan/zfs_plan.h"
#include "state/zfs_state.h"

struct fixture {
	struct config_src main;
	struct zfs_config cfg;
	struct zfs_state st;
	struct zfs_facts facts;
	struct strvec allow_wipe;
	struct zfs_plan_in in;      /* what zfs_plan_build reads */
	struct zfs_view view;       /* what the path questions read */
	struct diag_list dl;
	struct plan plan;
};

static const char *fuse_caps =
	"\tPROPERTY       EDIT  INHERIT   VALUES\n\n"
	"\tcompression     YES      YES   on | off | lzjb | gzip | gzip-[1-9] | zle\n"
	"\trecordsize      YES      YES   512 to 128k, power of 2\n"
	"\tquota           YES       NO   <size> | none\n"
	"\tatime           YES      YES   on | off\n"
	"\tcasesensitivity  NO      YES   sensitive | insensitive | mixed\n"
	"\tmountpoint      YES      YES   <path> | legacy | none\n";

/* Loads config text and state (zfs get text + zpool status text) into a fresh fixture. */
static struct fixture *setup_fx(const char *json, const char *get, const char *status)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_int_equal(config_src_parse(&f->main, "test.json", json, &f->dl), 0);
	zfs_config_load(&f->main, &f->cfg, &f->dl);
	assert_int_equal(diag_count(&f->dl, DIAG_ERROR), 0);
	zfs_parse_caps(fuse_caps, &f->st.caps);
	if (status)
		zpool_parse_status(status, &f->st, false, &f->dl);
	if (get)
		zfs_parse_get(get, NULL, &f->st, &f->dl);
	f->in = (struct zfs_plan_in){ .cfg = &f->cfg, .st = &f->st, .facts = &f->facts, .root = "",
				      .allow_wipe = &f->allow_wipe };
	f->view = (struct zfs_view){ .cfg = &f->cfg, .st = &f->st, .root = "" };
	return f;
}

static void teardown_fx(struct fixture *f)
{
	plan_free(&f->plan);
	zfs_config_free(&f->cfg);
	zfs_state_free(&f->st);
	zfs_facts_free(&f->facts);
	config_src_free(&f->main);
	sv_free(&f->allow_wipe);
	diag_list_free(&f->dl);
	free(f);
}

static void add_disk_fact(struct fixture *f, const char *disk, const char *signature)
{
	f->facts.disks = realloc(f->facts.disks, (f->facts.n_disks + 1) * sizeof(*f->facts.disks));
	struct zfs_disk_fact *d = &f->facts.disks[f->facts.n_disks++];
	memset(d, 0, sizeof(*d));
	d->disk = strdup(disk);
	d->probe.exists = true;
	d->probe.signature = signature ? strdup(signature) : NULL;
}

static const char *status_tank =
	"  pool: tank\n state: ONLINE\nconfig:\n\n"
	"\tNAME        STATE     READ WRITE CKSUM\n"
	"\ttank        ONLINE       0     0     0\n"
	"\t  /d/a      ONLINE       0     0     0\n\n"
	"errors: No known data errors\n";

static const struct action *find_action(const struct plan *p, const char *kind, const char *target, size_t *idx)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->v[i].kind, kind) && !strcmp(p->v[i].target, target)) {
			if (idx)
				*idx = i;
			return &p->v[i];
		}
	return NULL;
}

static bool has_diag(const struct diag_list *dl, enum diag_level lvl, const char *part)
{
	for (size_t i = 0; i < dl->n; i++)
		if (dl->v[i].level == lvl && strstr(dl->v[i].msg, part))
			return true;
	return false;
}

static void plan_creates_parent_before_child(void **state)
{
	(void)state;
	struct fixture *f = setup_fx(
		"{\"zfs\":{\"pools\":[{\"name\":\"tank\",\"raid_level\":\"single\",\"disks\":[\"/d/a\"]}],"
		"\"datasets\":[{\"name\":\"a/b/c\",\"pool\":\"tank\"},{\"name\":\"a/b\",\"pool\":\"tank\"},"
		"{\"name\":\"a\",\"pool\":\"tank\",\"properties\":\"quota=1G\"}]}}",
		"tank\ttype\tfilesystem\t-\ntank\tmountpoint\t/tank\tdefault\n", status_tank);
	zfs_plan_build(&f->in, &f->plan);
	plan_sort(&f->plan);
	size_t ia, ib, ic;
	assert_non_null(find_action(&f->plan, "create-dataset", "tank/a", &ia));
	assert_non_null(find_action(&f->plan, "create-dataset", "tank/a/b", &ib));
	assert_non_null(find_action(&f->plan, "create-dataset", "tank/a/b/c", &ic));
	assert_true(ia < ib && ib < ic);
	const struct action *a = &f->plan.v[ia];
	assert_string_equal(a->summary, "create dataset tank/a (quota=1G)");
	const char *want[] = { "zfs", "create", "-o", "phoenix:managed=true", "-o", "quota=1073741824", "tank/a", NULL };
	for (size_t i = 0; want[i]; i++)
		assert_string_equal(a->cmds[0].v[i], want[i]);
	assert_null(a->cmds[0].v[7]);
	teardown_fx(f);
}

static void plan_sets_only_properties_that_differ(void **state)
{
	(void)state;
	struct fixture *f = setup_fx(
		"{\"zfs\":{\"pools\":[{\"name\":\"tank\",\"raid_level\":\"single\",\"disks\":[\"/d/a\"]}],"
		"\"datasets\":[{\"name\":\"d\",\"pool\":\"tank\",\"properties\":\"quota=1.4T,recordsize=128K,compression=on\"}]}}",
		"tank\ttype\tfilesystem\t-\n"
		"tank/d\ttype\tfilesystem\t-\n"
		"tank/d\tquota\t1539316278886\tlocal\n"
		"tank/d\trecordsize\t16384\tlocal\n"
		"tank/d\tcompression\ton\tinherited from tank\n"
		"tank/d\tatime\toff\tlocal\n"
		"tank/d\tphoenix:managed\ttrue\tlocal\n",
		status_tank);
	zfs_plan_build(&f->in, &f->plan);
	/* quota matches and is local; compression matches only by inheritance: set locally. */
	assert_int_equal(f->plan.n, 2);
	assert_string_equal(f->plan.v[0].kind, "set-property");
	assert_string_equal(f->plan.v[0].summary, "tank/d recordsize 16K -> 128K");
	assert_string_equal(f->plan.v[0].cmds[0].v[2], "recordsize=131072");
	assert_string_equal(f->plan.v[1].summary, "tank/d compression on (inherited from tank) -> on");
	assert_string_equal(f->plan.v[1].cmds[0].v[2], "compression=on");
	teardown_fx(f);
}

static void unsupported_compression_is_a_plan_error(void **state)
{
	(void)state;
	struct fixture *f = setup_fx(
		"{\"zfs\":{\"pools\":[{\"name\":\"tank\",\"raid_level\":\"single\",\"disks\":[\"/d/a\"]}],"
		"\"datasets\":[{\"name\":\"d\",\"pool\":\"tank\",\"properties\":\"compression=zstd,sync=always\"}]}}",
		"tank\ttype\tfilesystem\t-\n", status_tank);
	zfs_plan_build(&f->in, &f->plan);
	assert_true(has_diag(&f->plan.diags, DIAG_ERROR, "dataset 'tank/d': compression 'zstd' is not supported by this ZFS"));
	assert_true(has_diag(&f->plan.diags, DIAG_ERROR, "dataset 'tank/d': this ZFS does not support the property 'sync'"));
	teardown_fx(f);
}

static void signature_blocks_pool_unless_wipe_allowed(void **state)
{
	(void)state;
	const char *cfg = "{\"zfs\":{\"pools\":[{\"name\":\"new\",\"raid_level\":\"mirror\",\"disks\":[\"/d/x\",\"/d/y\"]}]}}";
	struct fixture *f = setup_fx(cfg, NULL, NULL);
	add_disk_fact(f, "/d/x", "gpt partition table");
	add_disk_fact(f, "/d/y", NULL);
	zfs_plan_build(&f->in, &f->plan);
	assert_true(has_diag(&f->plan.diags, DIAG_ERROR, "cannot create pool 'new': disk '/d/x' is not empty (gpt partition table found)"));
	assert_null(find_action(&f->plan, "wipe-disk", "/d/x", NULL));
	teardown_fx(f);

	f = setup_fx(cfg, NULL, NULL);
	add_disk_fact(f, "/d/x", "gpt partition table");
	add_disk_fact(f, "/d/y", NULL);
	sv_push(&f->allow_wipe, "/d/x");
	zfs_plan_build(&f->in, &f->plan);
	plan_sort(&f->plan);
	assert_int_equal(diag_count(&f->plan.diags, DIAG_ERROR), 0);
	size_t iw, ic;
	const struct action *w = find_action(&f->plan, "wipe-disk", "/d/x", &iw);
	assert_non_null(w);
	assert_true(w->destructive);
	const struct action *c = find_action(&f->plan, "create-pool", "new", &ic);
	assert_true(iw < ic);
	const char *want[] = { "zpool", "create", "-f", "-o", "ashift=12", "new", "mirror", "/d/x", "/d/y", NULL };
	for (size_t i = 0; want[i]; i++)
		assert_string_equal(c->cmds[0].v[i], want[i]);
	assert_null(find_action(&f->plan, "wipe-disk", "/d/y", NULL));
	teardown_fx(f);
}

static void sata_ssd_pool_left_on_debian_trim_is_warned_about(void **state)
{
	(void)state;
	static const char *const trims[] = { "", ",\"trim\":\"auto\"", ",\"trim\":\"weekly\"" };
	static const enum disk_media media[] = { DISK_MEDIA_SSD, DISK_MEDIA_NVME, DISK_MEDIA_ROTATIONAL };
	for (size_t t = 0; t < 3; t++)
		for (size_t m = 0; m < 3; m++) {
			char *json = xasprintf("{\"zfs\":{\"pools\":[{\"name\":\"tank\",\"raid_level\":\"single\","
					       "\"disks\":[\"/d/a\"]%s}]}}", trims[t]);
			struct fixture *f = setup_fx(json, "tank\ttype\tfilesystem\t-\n", status_tank);
			add_disk_fact(f, "/d/a", NULL);
			f->facts.disks[0].media = media[m];
			zfs_plan_build(&f->in, &f->plan);
			bool warned = has_diag(&f->plan.diags, DIAG_WARNING,
					       "pool 'tank' has SSDs that are not NVMe (/d/a): Debian's TRIM cron trims only pools of NVMe disks, so nothing will ever trim this pool");
			assert_int_equal(warned, t == 0 && m == 0);
			teardown_fx(f);
			free(json);
		}
}

static void existing_pool_layout_drift_is_reported_not_fixed(void **state)
{
	(void)state;
	struct fixture *f = setup_fx(
		"{\"zfs\":{\"pools\":[{\"name\":\"tank\",\"raid_level\":\"mirror\",\"disks\":[\"/d/a\",\"/d/b\"]}]}}",
		"tank\ttype\tfilesystem\t-\n", status_tank);
	zfs_plan_build(&f->in, &f->plan);
	assert_int_equal(f->plan.n, 0);
	assert_true(has_diag(&f->plan.diags, DIAG_WARNING, "pool 'tank' drifted from the config: its layout is stripe, the config says mirror"));
	assert_true(has_diag(&f->plan.diags, DIAG_WARNING, "disks not in the pool: '/d/b'"));
	teardown_fx(f);
}

static void unmanaged_datasets_are_listed_only(void **state)
{
	(void)state;
	struct fixture *f = setup_fx(
		"{\"zfs\":{\"pools\":[{\"name\":\"tank\",\"raid_level\":\"single\",\"disks\":[\"/d/a\"]}]}}",
		"tank\ttype\tfilesystem\t-\ntank/mine\ttype\tfilesystem\t-\n"
		"tank/old\ttype\tfilesystem\t-\ntank/old\tphoenix:managed\ttrue\tlocal\n", status_tank);
	zfs_plan_build(&f->in, &f->plan);
	assert_int_equal(f->plan.n, 0);
	assert_int_equal(f->plan.unmanaged.n, 2);
	assert_string_equal(f->plan.unmanaged.v[0], "tank/mine");
	assert_non_null(strstr(f->plan.unmanaged.v[1], "tank/old (marked phoenix:managed but no longer in the config"));
	teardown_fx(f);
}

static void arc_line_is_merged_into_modprobe_file(void **state)
{
	(void)state;
	char *s = zfs_arc_modprobe_text(NULL, 1024);
	assert_string_equal(s, "options zfs zfs_arc_max=1024\n");
	free(s);
	s = zfs_arc_modprobe_text("# keep\noptions zfs zfs_arc_max=5 zfs_arc_min=1\nblacklist x\n", 1024);
	assert_string_equal(s, "# keep\noptions zfs zfs_arc_max=1024 zfs_arc_min=1\nblacklist x\n");
	free(s);
	s = zfs_arc_modprobe_text("options zfs l2arc_noprefetch=0", 7);
	assert_string_equal(s, "options zfs l2arc_noprefetch=0 zfs_arc_max=7\n");
	free(s);
}

/* Every zfs_arc_max= of the "options zfs" lines is set: modprobe passes them in order, the last counts. */
static void arc_is_set_where_modprobe_reads_it(void **state)
{
	(void)state;
	static const struct {
		const char *in, *out;
	} cases[] = {
		/* the limit on the second line: that one changes, the first keeps its own parameter */
		{ "options zfs zfs_arc_min=1\noptions zfs zfs_arc_max=5\n",
		  "options zfs zfs_arc_min=1\noptions zfs zfs_arc_max=7\n" },
		/* two lines set it: both get the value */
		{ "options zfs zfs_arc_max=1\noptions zfs zfs_arc_max=2 zfs_arc_min=1\n",
		  "options zfs zfs_arc_max=7\noptions zfs zfs_arc_max=7 zfs_arc_min=1\n" },
		/* modprobe's spacing; the whole value is replaced, a parameter that only ends like it is not */
		{ "  options\tzfs  zfs_arc_max=0x10 l2zfs_arc_max=3\n", "  options\tzfs  zfs_arc_max=7 l2zfs_arc_max=3\n" },
		{ "options zfs l2zfs_arc_max=3\n", "options zfs l2zfs_arc_max=3 zfs_arc_max=7\n" },
		/* a comment is not an options line */
		{ "# options zfs zfs_arc_max=5\n", "# options zfs zfs_arc_max=5\noptions zfs zfs_arc_max=7\n" },
		/* a last line ending in '\\' would join the new line: an empty line ends it */
		{ "options zfs_x y \\", "options zfs_x y \\\n\noptions zfs zfs_arc_max=7\n" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = zfs_arc_modprobe_text(cases[i].in, 7);
		assert_string_equal(s, cases[i].out);
		free(s);
	}
}

/* The persistent ARC limit converges when another "options zfs" line comes first. */
static void arc_plan_is_empty_after_the_write(void **state)
{
	(void)state;
	struct fixture *f = setup_fx("{\"zfs\":{\"arc_max_gb\":1}}", NULL, NULL);
	f->facts.arc_runtime_present = true;
	f->facts.arc_runtime = 1073741824;
	f->facts.modprobe_text = strdup("options zfs zfs_arc_min=1\noptions zfs zfs_arc_max=5\n");
	zfs_plan_build(&f->in, &f->plan);
	assert_int_equal(f->plan.n, 1);
	assert_string_equal(f->plan.v[0].kind, "arc-persistent");
	char *written = zfs_arc_modprobe_text(f->facts.modprobe_text, 1073741824);
	free(f->facts.modprobe_text);
	f->facts.modprobe_text = written;
	plan_free(&f->plan);
	memset(&f->plan, 0, sizeof(f->plan));
	zfs_plan_build(&f->in, &f->plan);
	assert_int_equal(f->plan.n, 0);
	teardown_fx(f);
}

static void path_maps_to_deepest_managed_dataset(void **state)
{
	(void)state;
	struct fixture *f = setup_fx(
		"{\"zfs\":{\"pools\":[{\"name\":\"tank\",\"raid_level\":\"single\",\"disks\":[\"/d/a\"],\"mountpoint\":\"/srv/tank\"}],"
		"\"datasets\":[{\"name\":\"shared\",\"pool\":\"tank\"},{\"name\":\"shared/iso\",\"pool\":\"tank\"},"
		"{\"name\":\"elsewhere\",\"pool\":\"tank\",\"mountpoint\":\"/mnt/pve/x\"}]}}",
		"tank\ttype\tfilesystem\t-\ntank\tmountpoint\t/srv/tank\tlocal\n"
		"tank/shared\ttype\tfilesystem\t-\ntank/shared\tmountpoint\t/srv/tank/shared\tinherited from tank\n"
		"tank/shared\tmounted\tyes\t-\n", status_tank);
	char *mp = NULL;
	bool mounted = true;
	assert_string_equal(zfs_view_dataset_for_path(&f->view, "/srv/tank/shared/iso/t", &mp, &mounted), "tank/shared/iso");
	assert_string_equal(mp, "/srv/tank/shared/iso");
	assert_false(mounted); /* to be created by the plan */
	free(mp);
	assert_string_equal(zfs_view_dataset_for_path(&f->view, "/srv/tank/shared/x", &mp, &mounted), "tank/shared");
	assert_true(mounted);
	free(mp);
	assert_string_equal(zfs_view_dataset_for_path(&f->view, "/mnt/pve/x/101", &mp, &mounted), "tank/elsewhere");
	free(mp);
	assert_null(zfs_view_dataset_for_path(&f->view, "/srv/tankx", &mp, &mounted));
	assert_null(zfs_view_dataset_for_path(&f->view, "/mnt/pve/quickOS/x", &mp, &mounted));
	teardown_fx(f);
}

static void locate_finds_nested_json_paths(void **state)
{
	(void)state;
	const char *text = "{\n  \"a\": [\n    {\"b\": 1},\n    {\"b\": \"x,y\", \"c\": {\"d\": true}}\n  ]\n}\n";
	int line, col;
	assert_int_equal(config_locate(text, "a[1].c.d", &line, &col), 0);
	assert_int_equal(line, 4);
	assert_int_equal(col, 29);
	assert_int_equal(config_locate(text, "a[1].b", &line, &col), 0);
	assert_int_equal(col, 11);
	/* a missing member points at its deepest existing parent */
	assert_int_equal(config_locate(text, "a[0].zz", &line, &col), -1);
	assert_int_equal(line, 3);
	assert_int_equal(col, 5);
}

/* ---- disks by identity ---- */

static struct disk_id file_id(unsigned ino)
{
	struct disk_id id = { { 0 }, { 0 } };
	id.self.kind = DISK_ID_FILE;
	id.self.dev = 40;
	id.self.ino = ino;
	return id;
}

static struct disk_id block_id(unsigned minor, unsigned whole_minor)
{
	struct disk_id id = { { 0 }, { 0 } };
	id.self.kind = DISK_ID_BLOCK;
	id.self.dev = makedev(8, minor);
	id.self.whole = makedev(8, whole_minor);
	return id;
}

static void set_fact_id(struct fixture *f, const char *disk, struct disk_id id)
{
	for (size_t i = 0; i < f->facts.n_disks; i++)
		if (!strcmp(f->facts.disks[i].disk, disk))
			f->facts.disks[i].id = id;
}

static const char *status_live =
	"  pool: live\n state: ONLINE\nconfig:\n\n"
	"\tNAME              STATE     READ WRITE CKSUM\n"
	"\tlive              ONLINE       0     0     0\n"
	"\t  /srv/f          ONLINE       0     0     0\n"
	"\tspares\n"
	"\t  sdx             AVAIL\n\n"
	"errors: No known data errors\n";

static const char *new_pool_on(const char *disk)
{
	static char buf[256];
	snprintf(buf, sizeof(buf), "{\"zfs\":{\"pools\":[{\"name\":\"new\",\"raid_level\":\"single\",\"disks\":[\"%s\"]}]}}", disk);
	return buf;
}

/* Each case: the configured disk's identity against the live pool's vdevs; refused with --allow-wipe given. */
static void disk_of_a_live_pool_is_refused_by_identity_whatever_its_name(void **state)
{
	(void)state;
	const struct {
		const char *name, *disk;
		struct disk_id disk_id, vdev_id, spare_id;
		const char *msg;
	} cases[] = {
		{ "a symlink of the file vdev", "/srv/flink", file_id(7), file_id(7), block_id(80, 80),
		  "cannot create pool 'new': disk '/srv/flink' is a member of pool 'live' (vdev '/srv/f')" },
		{ "the disk a partition vdev is on", "/dev/disk/by-id/ata-X", block_id(16, 16), block_id(17, 16), block_id(80, 80),
		  "cannot create pool 'new': disk '/dev/disk/by-id/ata-X' is a member of pool 'live' (vdev '/srv/f')" },
		{ "a spare of the pool, by another name", "/dev/disk/by-id/wwn-0x1", block_id(32, 32), file_id(7), block_id(32, 32),
		  "cannot create pool 'new': disk '/dev/disk/by-id/wwn-0x1' is a member of pool 'live' (vdev 'sdx')" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("case: %s\n", cases[i].name);
		struct fixture *f = setup_fx(new_pool_on(cases[i].disk), NULL, status_live);
		f->st.pools[0].vdevs[0].id = cases[i].vdev_id;
		f->st.pools[0].aux[0].id = cases[i].spare_id;
		add_disk_fact(f, cases[i].disk, "zfs_member");
		set_fact_id(f, cases[i].disk, cases[i].disk_id);
		sv_push(&f->allow_wipe, cases[i].disk);
		zfs_plan_build(&f->in, &f->plan);
		assert_true(has_diag(&f->plan.diags, DIAG_ERROR, cases[i].msg));
		assert_null(find_action(&f->plan, "wipe-disk", cases[i].disk, NULL));
		for (size_t k = 0; k < f->plan.diags.n; k++)
			assert_null(strstr(f->plan.diags.v[k].hint ? f->plan.diags.v[k].hint : "", "run apply with --allow-wipe"));
		teardown_fx(f);
	}
	/* another file on the same file system is free: only its signature counts */
	struct fixture *f = setup_fx(new_pool_on("/srv/g"), NULL, status_live);
	f->st.pools[0].vdevs[0].id = file_id(7);
	add_disk_fact(f, "/srv/g", NULL);
	set_fact_id(f, "/srv/g", file_id(8));
	zfs_plan_build(&f->in, &f->plan);
	assert_int_equal(diag_count(&f->plan.diags, DIAG_ERROR), 0);
	assert_non_null(find_action(&f->plan, "create-pool", "new", NULL));
	teardown_fx(f);
}

static void disk_held_by_the_host_is_refused_even_with_allow_wipe(void **state)
{
	(void)state;
	struct fixture *f = setup_fx(new_pool_on("/dev/disk/by-id/ata-X"), NULL, NULL);
	add_disk_fact(f, "/dev/disk/by-id/ata-X", "ext4 filesystem");
	set_fact_id(f, "/dev/disk/by-id/ata-X", block_id(16, 16));
	struct disk_id part = block_id(17, 16);
	disk_host_add(&f->facts.host, DISK_USE_MOUNT, &part, "/srv/data", "/dev/sdb1");
	sv_push(&f->allow_wipe, "/dev/disk/by-id/ata-X");
	zfs_plan_build(&f->in, &f->plan);
	assert_true(has_diag(&f->plan.diags, DIAG_ERROR,
			     "cannot create pool 'new': disk '/dev/disk/by-id/ata-X' is mounted at '/srv/data' (as '/dev/sdb1')"));
	assert_null(find_action(&f->plan, "wipe-disk", "/dev/disk/by-id/ata-X", NULL));
	teardown_fx(f);
}

static void one_device_named_twice_is_a_validation_error(void **state)
{
	(void)state;
	const char *cfg = "{\"zfs\":{\"pools\":[\n"
			  "{\"name\":\"a\",\"raid_level\":\"mirror\",\"disks\":[\"/srv/f\",\"/srv/fhard\"]},\n"
			  "{\"name\":\"b\",\"raid_level\":\"single\",\"disks\":[\"/dev/sdb1\"]},\n"
			  "{\"name\":\"c\",\"raid_level\":\"mirror\",\"disks\":[\"/dev/sdb\",\"/dev/sdc\"]}]}}";
	struct fixture *f = setup_fx(cfg, NULL, NULL);
	const struct {
		const char *disk;
		struct disk_id id;
	} ids[] = { { "/srv/f", file_id(7) }, { "/srv/fhard", file_id(7) }, { "/dev/sdb1", block_id(17, 16) },
		    { "/dev/sdb", block_id(16, 16) }, { "/dev/sdc", block_id(32, 32) } };
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		add_disk_fact(f, ids[i].disk, NULL);
		set_fact_id(f, ids[i].disk, ids[i].id);
	}
	struct diag_list dl = { 0 };
	zfs_check_same_devices(&f->cfg, &f->facts, &f->main, &dl);
	assert_int_equal(dl.n, 2);
	assert_string_equal(dl.v[0].jpath, "zfs.pools[0].disks[1]");
	assert_string_equal(dl.v[0].msg, "disk '/srv/fhard' is the same device as '/srv/f' (zfs.pools[0].disks[0])");
	assert_int_equal(dl.v[0].line, 2);
	assert_string_equal(dl.v[1].jpath, "zfs.pools[2].disks[0]");
	assert_string_equal(dl.v[1].msg, "disk '/dev/sdb' holds the partition '/dev/sdb1' (zfs.pools[1].disks[0])");
	assert_int_equal(dl.v[1].line, 4);
	diag_list_free(&dl);
	teardown_fx(f);
}

static void value_with_a_newline_is_shown_escaped_and_replaced(void **state)
{
	(void)state;
	struct fixture *f = setup_fx(
		"{\"zfs\":{\"pools\":[{\"name\":\"tank\",\"raid_level\":\"single\",\"disks\":[\"/d/a\"]}],"
		"\"datasets\":[{\"name\":\"d\",\"pool\":\"tank\",\"properties\":{\"phoenix:note\":\"one line\"}}]}}",
		"tank\ttype\tfilesystem\t-\n"
		"tank/d\ttype\tfilesystem\t-\n"
		"tank/d\tphoenix:managed\ttrue\tlocal\n"
		"tank/d\tphoenix:note\ttwo\nlines\tlocal\n",
		status_tank);
	zfs_plan_build(&f->in, &f->plan);
	assert_int_equal(f->plan.n, 1);
	assert_string_equal(f->plan.v[0].summary, "tank/d phoenix:note two\\nlines -> one line");
	assert_string_equal(f->plan.v[0].cmds[0].v[2], "phoenix:note=one line");
	teardown_fx(f);
	char *s = zfs_value_display("a\tb\\c\x01");
	assert_string_equal(s, "a\\tb\\\\c\\x01");
	free(s);
	s = zfs_value_display("C:\\plain");
	assert_string_equal(s, "C:\\plain");
	free(s);
}

static void datasets_of_an_unavailable_pool_are_not_planned(void **state)
{
	(void)state;
	struct fixture *f = setup_fx(
		"{\"zfs\":{\"pools\":[{\"name\":\"tank\",\"raid_level\":\"single\",\"disks\":[\"/d/a\"]}],"
		"\"datasets\":[{\"name\":\"d\",\"pool\":\"tank\"}]}}",
		NULL,
		"  pool: tank\n state: UNAVAIL\nconfig:\n\n"
		"\tNAME        STATE     READ WRITE CKSUM\n"
		"\ttank        UNAVAIL      0     0     0\n"
		"\t  /d/a      UNAVAIL      0     0     0\n\n");
	assert_false(zpool_readable(&f->st.pools[0]));
	zfs_plan_build(&f->in, &f->plan);
	assert_int_equal(f->plan.n, 0);
	assert_true(has_diag(&f->plan.diags, DIAG_ERROR, "the datasets of pool 'tank' cannot be read: the pool is UNAVAIL"));
	teardown_fx(f);
}

static const char *tank_cfg_with(const char *datasets)
{
	static char buf[2048];
	snprintf(buf, sizeof(buf),
		 "{\"zfs\":{\"pools\":[{\"name\":\"tank\",\"raid_level\":\"single\",\"disks\":[\"/d/a\"],"
		 "\"options\":{\"compression\":\"gzip\"},\"properties\":{\"failmode\":\"continue\",\"feature@async_destroy\":\"enabled\"}}],"
		 "\"datasets\":[%s]}}", datasets);
	return buf;
}

static const char *tank_get =
	"tank\ttype\tfilesystem\t-\n"
	"tank\tcompression\tgzip\tlocal\n"
	"tank\tatime\ton\tdefault\n"
	"tank/x\ttype\tfilesystem\t-\n"
	"tank/x\tphoenix:managed\ttrue\tlocal\n"
	"tank/x\tcompression\tlzjb\tlocal\n"
	"tank/x\tatime\ton\tinherited from tank\n"
	"tank/x\tquota\t0\tdefault\n"
	"tank/x\tcasesensitivity\tsensitive\t-\n";

/* Which config property counts as converged, data-driven: value, source and kind together. */
static void convergence_needs_the_value_and_its_source(void **state)
{
	(void)state;
	static const struct {
		const char *props;     /* tank/x's properties in the config */
		const char *line;      /* the one plan line, or NULL: converged */
		bool recreate;
	} cases[] = {
		{ "\"compression\":\"lzjb\"", NULL, false },                        /* same, local */
		{ "\"compression\":\"gzip\"", "tank/x compression lzjb -> gzip", false },
		{ "\"atime\":\"on\"", "tank/x atime on (inherited from tank) -> on", false },
		{ "\"atime\":\"inherit\"", NULL, false },                           /* inherited already */
		{ "\"compression\":\"inherit\"", "tank/x compression lzjb -> inherit (gzip from tank)", false },
		{ "\"quota\":\"none\"", NULL, false },                              /* cannot be inherited: the value counts */
		{ "\"casesensitivity\":\"sensitive\"", NULL, false },               /* fixed at create: "-" is its source */
		{ "\"casesensitivity\":\"insensitive\"", "tank/x casesensitivity sensitive -> insensitive: ZFS sets it only when the dataset is created; create a new dataset with it, copy the data (rsync -aHAX), then swap the names with 'zfs rename'", true },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char ds[256];
		snprintf(ds, sizeof(ds), "{\"name\":\"x\",\"pool\":\"tank\",\"properties\":{%s}}", cases[i].props);
		struct fixture *f = setup_fx(tank_cfg_with(ds), tank_get, status_tank);
		zfs_plan_build(&f->in, &f->plan);
		size_t sets = 0;
		const char *got = NULL;
		for (size_t k = 0; k < f->plan.n; k++)
			if (!strcmp(f->plan.v[k].target, "tank/x")) {
				sets++;
				got = f->plan.v[k].summary;
			}
		if (cases[i].recreate) {
			assert_int_equal(sets, 0);
			assert_int_equal(f->plan.recreate.n, 1);
			assert_string_equal(f->plan.recreate.v[0], cases[i].line);
		} else if (!cases[i].line) {
			if (sets || f->plan.recreate.n)
				fail_msg("case %zu (%s): converged, yet planned '%s'", i, cases[i].props, got ? got : "recreate");
		} else {
			assert_int_equal(sets, 1);
			assert_string_equal(got, cases[i].line);
			assert_int_equal(f->plan.recreate.n, 0);
		}
		teardown_fx(f);
	}
}

static void inherit_runs_zfs_inherit(void **state)
{
	(void)state;
	struct fixture *f = setup_fx(tank_cfg_with("{\"name\":\"x\",\"pool\":\"tank\",\"properties\":\"compression=inherit\"}"),
				     tank_get, status_tank);
	zfs_plan_build(&f->in, &f->plan);
	const struct action *a = find_action(&f->plan, "inherit-property", "tank/x", NULL);
	assert_non_null(a);
	const char *want[] = { "zfs", "inherit", "compression", "tank/x", NULL };
	for (size_t i = 0; want[i]; i++)
		assert_string_equal(a->cmds[0].v[i], want[i]);
	assert_null(a->cmds[0].v[4]);
	teardown_fx(f);
}

/* Pool properties of an existing pool, from zpool get: value only; features enabled = active. */
static void pool_properties_converge_with_zpool_set(void **state)
{
	(void)state;
	struct fixture *f = setup_fx(tank_cfg_with(""), tank_get, status_tank);
	assert_int_equal(zpool_parse_get("tank\tfailmode\twait\tdefault\ntank\tfeature@async_destroy\tactive\tlocal\n",
					 false, &f->st, &f->dl), 0);
	zfs_plan_build(&f->in, &f->plan);
	const struct action *a = find_action(&f->plan, "set-pool-property", "tank", NULL);
	assert_non_null(a);
	assert_string_equal(a->summary, "pool tank failmode wait -> continue");
	const char *want[] = { "zpool", "set", "failmode=continue", "tank", NULL };
	for (size_t i = 0; want[i]; i++)
		assert_string_equal(a->cmds[0].v[i], want[i]);
	assert_int_equal(f->plan.n, 1);   /* the root's compression=gzip is local: converged */
	teardown_fx(f);

	/* A property this zpool does not print is an error; disabling a feature is a recreate. */
	f = setup_fx(tank_cfg_with(""), tank_get, status_tank);
	assert_int_equal(zpool_parse_get("tank\tfeature@async_destroy\tenabled\tlocal\n", false, &f->st, &f->dl), 0);
	zfs_plan_build(&f->in, &f->plan);
	assert_true(has_diag(&f->plan.diags, DIAG_ERROR, "pool 'tank': this ZFS does not support the pool property 'failmode'"));
	teardown_fx(f);
}

static void sparse_volume_is_created_with_s(void **state)
{
	(void)state;
	struct fixture *f = setup_fx(tank_cfg_with("{\"name\":\"v\",\"pool\":\"tank\",\"type\":\"volume\",\"volsize\":\"1G\",\"sparse\":true}"),
				     tank_get, status_tank);
	zfs_plan_build(&f->in, &f->plan);
	const struct action *a = find_action(&f->plan, "create-dataset", "tank/v", NULL);
	assert_non_null(a);
	assert_string_equal(a->summary, "create volume tank/v (volsize=1G, sparse)");
	const char *want[] = { "zfs", "create", "-s", "-V", "1073741824", NULL };
	for (size_t i = 0; want[i]; i++)
		assert_string_equal(a->cmds[0].v[i], want[i]);
	teardown_fx(f);
}

/* encryption=on needs a key of its own, unless the parent is encrypted (then the child shares its key). */
static void encryption_without_a_key_needs_an_encrypted_parent(void **state)
{
	(void)state;
	struct fixture *f = setup_fx(
		tank_cfg_with("{\"name\":\"s\",\"pool\":\"tank\",\"properties\":\"encryption=on\"},"
			      "{\"name\":\"k\",\"pool\":\"tank\",\"properties\":\"encryption=on,keyformat=raw,keylocation=file:///k\"},"
			      "{\"name\":\"k/child\",\"pool\":\"tank\",\"properties\":\"encryption=on\"}"),
		tank_get, status_tank);
	f->st.caps.known = false;   /* the fixture's usage text has no encryption */
	zfs_plan_build(&f->in, &f->plan);
	assert_true(has_diag(&f->plan.diags, DIAG_ERROR,
			     "cannot create dataset 'tank/s' with encryption=on: it needs a key (keyformat), and its parent is not encrypted"));
	assert_false(has_diag(&f->plan.diags, DIAG_ERROR, "dataset 'tank/k/child'"));
	assert_false(has_diag(&f->plan.diags, DIAG_ERROR, "dataset 'tank/k' "));
	teardown_fx(f);
}

static void unloaded_key_is_reported_not_loaded(void **state)
{
	(void)state;
	char get[1024];
	snprintf(get, sizeof(get), "%stank/x\tkeystatus\tunavailable\t-\ntank/x\tencryptionroot\ttank/x\t-\n", tank_get);
	struct fixture *f = setup_fx(tank_cfg_with("{\"name\":\"x\",\"pool\":\"tank\",\"properties\":\"compression=lzjb\"}"),
				     get, status_tank);
	zfs_plan_build(&f->in, &f->plan);
	assert_true(has_diag(&f->plan.diags, DIAG_WARNING,
			     "dataset 'tank/x': its encryption key is not loaded (keystatus unavailable, encryption root 'tank/x')"));
	for (size_t i = 0; i < f->plan.n; i++)
		for (size_t c = 0; c < f->plan.v[i].n_cmds; c++)
			assert_string_not_equal(f->plan.v[i].cmds[c].v[1], "load-key");
	teardown_fx(f);
}

/* The pool's mountpoint converges on its root dataset: a value and its source, as a dataset's. */
static void pool_mountpoint_converges_on_the_root_dataset(void **state)
{
	(void)state;
	static const struct {
		const char *current;  /* value\tsource of tank's mountpoint */
		const char *summary;  /* NULL: no action */
	} cases[] = {
		{ "/tank\tdefault", "tank mountpoint /tank -> /srv/tank" },
		{ "/srv/tank\tlocal", NULL },
		{ "/srv/tank\tdefault", "tank mountpoint /srv/tank (default) -> /srv/tank" },
		{ "/old\tlocal", "tank mountpoint /old -> /srv/tank" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *get = NULL;
		if (asprintf(&get, "tank\ttype\tfilesystem\t-\ntank\tmountpoint\t%s\n", cases[i].current) < 0)
			fail();
		struct fixture *f = setup_fx("{\"zfs\":{\"pools\":[{\"name\":\"tank\",\"raid_level\":\"single\","
					     "\"disks\":[\"/d/a\"],\"mountpoint\":\"/srv/tank/\"}]}}",
					     get, status_tank);
		free(get);
		zfs_plan_build(&f->in, &f->plan);
		const struct action *a = find_action(&f->plan, "set-property", "tank", NULL);
		if (!cases[i].summary) {
			if (a)
				fail_msg("case %zu: unexpected '%s'", i, a->summary);
		} else {
			if (!a)
				fail_msg("case %zu: no action, want '%s'", i, cases[i].summary);
			assert_string_equal(a->summary, cases[i].summary);
			const char *want[] = { "zfs", "set", "mountpoint=/srv/tank", "tank", NULL };
			for (size_t k = 0; want[k]; k++)
				assert_string_equal(a->cmds[0].v[k], want[k]);
		}
		teardown_fx(f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plan_creates_parent_before_child),
		cmocka_unit_test(plan_sets_only_properties_that_differ),
		cmocka_unit_test(unsupported_compression_is_a_plan_error),
		cmocka_unit_test(signature_blocks_pool_unless_wipe_allowed),
		cmocka_unit_test(existing_pool_layout_drift_is_reported_not_fixed),
		cmocka_unit_test(sata_ssd_pool_left_on_debian_trim_is_warned_about),
		cmocka_unit_test(unmanaged_datasets_are_listed_only),
		cmocka_unit_test(arc_line_is_merged_into_modprobe_file),
		cmocka_unit_test(arc_is_set_where_modprobe_reads_it),
		cmocka_unit_test(arc_plan_is_empty_after_the_write),
		cmocka_unit_test(path_maps_to_deepest_managed_dataset),
		cmocka_unit_test(locate_finds_nested_json_paths),
		cmocka_unit_test(disk_of_a_live_pool_is_refused_by_identity_whatever_its_name),
		cmocka_unit_test(disk_held_by_the_host_is_refused_even_with_allow_wipe),
		cmocka_unit_test(one_device_named_twice_is_a_validation_error),
		cmocka_unit_test(value_with_a_newline_is_shown_escaped_and_replaced),
		cmocka_unit_test(datasets_of_an_unavailable_pool_are_not_planned),
		cmocka_unit_test(convergence_needs_the_value_and_its_source),
		cmocka_unit_test(inherit_runs_zfs_inherit),
		cmocka_unit_test(pool_properties_converge_with_zpool_set),
		cmocka_unit_test(pool_mountpoint_converges_on_the_root_dataset),
		cmocka_unit_test(sparse_volume_is_created_with_s),
		cmocka_unit_test(unloaded_key_is_reported_not_loaded),
		cmocka_unit_test(encryption_without_a_key_needs_an_encrypted_parent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
