/* The dashboard: `qemu-tui` with no command. */
#ifndef QT_UI_H
#define QT_UI_H

struct ui_options {
	const char *profiles_dir;	/* --profiles, or NULL */
	const char *theme;		/* --theme, or NULL for the settings file's */
	const char *config;		/* --config, or NULL for the default path */
};

/* Runs until the user quits; returns the process exit code. */
int ui_run(const struct ui_options *opts);

#endif
