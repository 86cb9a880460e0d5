/*
 * Finding profiles: the directories searched (--profiles, $QEMU_TUI_PROFILES,
 * the user's config directory, the installed examples, the source tree's) and
 * loading every file of one. A broken file is listed as broken and never hides
 * the others.
 */
#include "profile_priv.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "xdg.h"

#ifndef QT_PROFILES_DIR
#define QT_PROFILES_DIR "/usr/local/share/qemu-tui/profiles"
#endif


char **
profile_search_dirs(const char *cli_dir)
{
	char **v = xcalloc(6, sizeof *v);
	const char *e;
	size_t n = 0;

	if (cli_dir != NULL && *cli_dir != '\0')
		v[n++] = xstrdup(cli_dir);
	if ((e = getenv("QEMU_TUI_PROFILES")) != NULL && *e != '\0')
		v[n++] = xstrdup(e);
	if ((v[n] = xdg_config_path("profiles")) != NULL)
		n++;
	v[n++] = xstrdup(QT_PROFILES_DIR);
	/* An uninstalled build (build/qemu-tui) uses the source tree's examples. */
	v[n++] = xdg_source_path("profiles");
	v[n] = NULL;
	return v;
}

char *
profile_dir_pick(const char *cli_dir)
{
	char **v, *pick = NULL;
	struct stat st;
	size_t i;

	/* An explicit --profiles that is missing is the caller's error to report. */
	if (cli_dir != NULL && *cli_dir != '\0')
		return xstrdup(cli_dir);
	v = profile_search_dirs(NULL);
	for (i = 0; v[i] != NULL; i++) {
		if (pick == NULL && stat(v[i], &st) == 0 && S_ISDIR(st.st_mode))
			pick = v[i];
		else
			free(v[i]);
	}
	free(v);
	return pick;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
mark_duplicate(struct profile *p, const struct profile *first)
{
	/* A parse error says more about the file than the name it fell back to. */
	if (p->load_error != NULL)
		return;
	p->load_error = xasprintf("%s: duplicate name \"%s\": also used by %s",
	    p->path, p->name, first->path);
	free(p->broken);
	p->broken = xstrdup(p->load_error);
}

/*
 * Two guests with one MAC on a bridge or tap network break each other (and
 * share one DHCP lease): the later file is broken, naming the earlier one.
 * Mode none has no NIC; a broken profile does not run.
 */
static bool
mac_used(const struct profile_list *l, const char *mac)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->items[i]->net.mac != NULL &&
		    strcasecmp(l->items[i]->net.mac, mac) == 0)
			return true;
	return false;
}

/*
 * Two guests with one MAC on a bridge or tap network break each other (and
 * share one DHCP lease): the later file is broken, naming the earlier one and
 * a MAC no profile here has. Mode none has no NIC; a broken profile does not run.
 */
static void
check_macs(struct profile_list *l)
{
	struct profile *p, *q;
	char derived[18], free_mac[18], *seed;
	size_t i, j, k;

	for (i = 0; i < l->n; i++) {
		p = l->items[i];
		if (p->broken != NULL || p->net.mode == NET_NONE || p->net.mac == NULL)
			continue;
		for (j = 0; j < i; j++) {
			q = l->items[j];
			if (q->broken != NULL || q->net.mode == NET_NONE ||
			    q->net.mac == NULL || strcasecmp(p->net.mac, q->net.mac) != 0)
				continue;
			profile_name_mac(p->name, derived);
			k = 0;
			do {
				seed = xasprintf("%s#%zu", p->name, ++k);
				profile_name_mac(seed, free_mac);
				free(seed);
			} while (mac_used(l, free_mac));
			p->load_error = xasprintf("%s: network.mac: %s is also the MAC of "
			    "\"%s\" (%s)%s; set another network.mac in this file, e.g. "
			    "\"mac\": \"%s\"", p->path, p->net.mac, q->name, q->path,
			    strcasecmp(p->net.mac, derived) == 0 ?
			    ", derived from this profile's name" : "", free_mac);
			free(p->broken);
			p->broken = xstrdup(p->load_error);
			break;
		}
	}
}

int
profile_load_dir(const char *dir, struct profile_list *out, qt_error *err)
{
	char **paths = NULL, *path;
	size_t n = 0, cap = 0, i, j;
	struct dirent *de;
	struct stat st;
	DIR *d;

	out->items = NULL;
	out->n = 0;
	if ((d = opendir(dir)) == NULL) {
		if (errno == ENOENT)
			err_set(err, "profile directory %s does not exist: create it "
			    "(mkdir -p %s) or pass another --profiles DIR", dir, dir);
		else
			err_errno(err, "profile directory %s", dir);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || !pf_has_suffix(de->d_name, ".json"))
			continue;
		path = path_join(dir, de->d_name);
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			free(path);
			continue;
		}
		if (n == cap)
			paths = xreallocarray(paths, cap = cap ? cap * 2 : 16,
			    sizeof *paths);
		paths[n++] = path;
	}
	closedir(d);
	/* One directory: sorting the paths sorts the file names. */
	if (n > 0)	/* qsort(NULL, 0, ...) is undefined */
		qsort(paths, n, sizeof *paths, cmp_str);
	out->items = xcalloc(n, sizeof *out->items);
	for (i = 0; i < n; i++) {
		out->items[i] = profile_load(paths[i]);
		free(paths[i]);
		for (j = 0; j < i; j++) {
			if (strcmp(out->items[j]->name, out->items[i]->name) == 0) {
				mark_duplicate(out->items[i], out->items[j]);
				break;
			}
		}
	}
	out->n = n;
	free(paths);
	check_macs(out);
	return 0;
}

void
profile_list_free(struct profile_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		profile_free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

struct profile *
profile_list_find(const struct profile_list *l, const char *name)
{
	size_t i;

	for (i = 0; l != NULL && i < l->n; i++)
		if (strcmp(l->items[i]->name, name) == 0)
			return l->items[i];
	return NULL;
}
