/*
 * Writing a profile: the one writer behind import, new, clone, rename and the
 * dashboard's form. The JSON is checked by the loader itself (profile_parse,
 * the same code that loads the directory) before anything is written, then
 * written atomically into the user's profile directory, never over another
 * profile unless the caller says so, and loaded back.
 */
#include "profile_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xdg.h"

static char *
absolute(const char *dir)
{
	char *cwd, *a;

	if (dir[0] == '/' || (cwd = getcwd(NULL, 0)) == NULL)
		return xstrdup(dir);
	a = path_join(cwd, dir);
	free(cwd);
	return a;
}

char *
profile_user_dir(const char *cli_dir, qt_error *err)
{
	const char *env = getenv("QEMU_TUI_PROFILES");
	char *d, *slash;

	/* Absolute: disks made beside a profile are named in it by their full path. */
	if (cli_dir != NULL && *cli_dir != '\0')
		return absolute(cli_dir);
	if (env != NULL && *env != '\0')
		return absolute(env);
	if ((d = xdg_config_path("profiles")) == NULL) {
		err_set(err, "neither XDG_CONFIG_HOME nor HOME is an absolute path: "
		    "give --profiles DIR");
		return NULL;
	}
	/* mkdir -p: $XDG_CONFIG_HOME itself may be missing too. */
	for (slash = strchr(d + 1, '/'); ; slash = strchr(slash + 1, '/')) {
		if (slash != NULL)
			*slash = '\0';
		if (mkdir(d, 0755) == -1 && errno != EEXIST) {
			err_errno(err, "cannot create %s", d);
			free(d);
			return NULL;
		}
		if (slash == NULL)
			break;
		*slash = '/';
	}
	return d;
}

char *
profile_name_problem(const char *name)
{
	const char *p;

	if (*name == '\0')
		return xstrdup("a name is needed");
	if (*name == '.' || *name == '-')
		return xasprintf("\"%s\" is not a profile name: it must not start with "
		    "'%c'", name, *name);
	for (p = name; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.'))
			return xasprintf("\"%s\" is not a profile name (letters, digits, "
			    "'-', '_' and '.'; it names the file NAME.json)", name);
	if (strlen(name) > 64)
		return xasprintf("\"%s\" is longer than 64 bytes", name);
	return NULL;
}

struct profile *
profile_write_text(const char *dir, const char *name, const char *text, size_t len,
    unsigned flags, qt_error *err)
{
	struct profile *p;
	char *why, *path;
	int rc;

	if ((why = profile_name_problem(name)) != NULL) {
		err_set(err, "%s", why);
		free(why);
		return NULL;
	}
	path = xasprintf("%s/%s.json", dir, name);
	if (!(flags & PROFILE_WRITE_REPLACE) && access(path, F_OK) == 0) {
		err_set(err, "%s exists; nothing was written", path);
		goto fail;
	}
	/* The loader's own verdict, before a byte reaches the directory. */
	p = profile_parse(path, text, len);
	if (p->broken != NULL && !(flags & PROFILE_WRITE_BROKEN)) {
		err_set(err, "%s; nothing was written", p->broken);
		profile_free(p);
		goto fail;
	}
	/* An edited text says its own name: never a file whose name it does not say. */
	if (p->name != NULL && strcmp(p->name, name) != 0) {
		err_set(err, "%s would be named %s, not %s; nothing was written", path,
		    p->name, name);
		profile_free(p);
		goto fail;
	}
	profile_free(p);
	rc = (flags & PROFILE_WRITE_REPLACE) ? file_write_atomic(path, text, len, 0644, err) :
	    file_write_new(path, text, len, 0644, err);
	if (rc == -1)
		goto fail;
	p = profile_load(path);
	free(path);
	return p;
fail:
	free(path);
	return NULL;
}

struct profile *
profile_write(const char *dir, const char *name, struct json_object *obj,
    const char *comment, unsigned flags, qt_error *err)
{
	struct profile *p;
	const char *json;
	char *text;

	json_object_object_add(obj, "name", json_object_new_string(name));
	json = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY |
	    JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
	text = comment != NULL ? xasprintf("// %s\n%s\n", comment, json) :
	    xasprintf("%s\n", json);
	p = profile_write_text(dir, name, text, strlen(text), flags, err);
	free(text);
	return p;
}

struct json_object *
profile_read_json(const char *path, qt_error *err)
{
	struct ctx c = { 0 };
	json_object *obj;
	struct profile *p;
	size_t len;
	char *text;

	if ((text = file_read(path, &len, err)) == NULL)
		return NULL;
	p = xcalloc(1, sizeof *p);
	p->path = xstrdup(path);
	c.p = p;
	c.src = text;
	c.len = len;
	obj = pf_json_read(&c);
	if (c.first != NULL) {
		err_set(err, "%s", c.first);
		json_object_put(obj);
		obj = NULL;
	}
	free(c.first);
	free(p->path);
	free(p);
	free(text);
	return obj;
}

bool
profile_is_url(const char *s)
{
	return pf_is_url(s) != 0;
}
