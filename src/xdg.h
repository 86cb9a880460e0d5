/*
 * Where qemu-tui's own files are: the user's configuration directory
 * ($XDG_CONFIG_HOME/qemu-tui, else ~/.config/qemu-tui) and the source tree this
 * binary was built from (an uninstalled build uses its themes and examples).
 */
#ifndef QT_XDG_H
#define QT_XDG_H

/*
 * "$XDG_CONFIG_HOME/qemu-tui/REL"; without an absolute XDG_CONFIG_HOME (the spec
 * says to ignore a relative one) "$HOME/.config/qemu-tui/REL"; NULL when HOME
 * is not an absolute path either.
 */
char *xdg_config_path(const char *rel);

/* REL inside the source tree (configure's top_srcdir), e.g. "themes". */
char *xdg_source_path(const char *rel);

#endif
