/*
 * CEditLine: libedit (Debian: libedit-dev) for the Shell's line editor.
 *
 * We use libedit's native API (el_init / el_gets in unbuffered mode / history), not its
 * readline emulation: the emulation hides the EditLine handle, has no way to empty the line
 * (rl_replace_line("") returns early), copies one byte short in rl_copy_text, and keeps a
 * rl_line_buffer pointer that goes stale when the line grows. Nothing here includes
 * <readline/readline.h> (that would be GNU readline's header on this machine).
 *
 * Swift does not import C variadics (el_set, el_get, history) and, in Swift 6 mode, rejects
 * the C globals stdin/stdout/stderr: every such use is wrapped below.
 */
#pragma once
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>
#include <locale.h>
#include <langinfo.h>
#include <string.h>
#include <termios.h>
#include <sys/ioctl.h>
#include <histedit.h>

/* ---- editor ---- */

typedef char *(*ceditline_prompt_fn)(EditLine *);
typedef unsigned char (*ceditline_command_fn)(EditLine *, int);
typedef int (*ceditline_getc_fn)(EditLine *, wchar_t *);

static inline EditLine *ceditline_init(const char *prog) {
    return el_init(prog, stdin, stdout, stderr);
}
static inline int ceditline_set_signal(EditLine *el, int on) { return el_set(el, EL_SIGNAL, on); }
static inline int ceditline_set_unbuffered(EditLine *el, int on) { return el_set(el, EL_UNBUFFERED, on); }
static inline int ceditline_set_editor(EditLine *el, const char *mode) { return el_set(el, EL_EDITOR, mode); }
/* The prompt; characters between two `esc` characters are printed but take no width. */
static inline int ceditline_set_prompt(EditLine *el, ceditline_prompt_fn fn, char esc) {
    return el_set(el, EL_PROMPT_ESC, fn, esc);
}
static inline int ceditline_set_history(EditLine *el, History *h) { return el_set(el, EL_HIST, history, h); }
static inline int ceditline_add_function(EditLine *el, const char *name, const char *help, ceditline_command_fn fn) {
    return el_set(el, EL_ADDFN, name, help, fn);
}
/* Binds a key sequence (bind(1)-style notation, e.g. "^R", "\\e[3~") to an editor function. */
static inline int ceditline_bind(EditLine *el, const char *keys, const char *function) {
    return el_set(el, EL_BIND, keys, function, NULL);
}
static inline int ceditline_set_getc(EditLine *el, ceditline_getc_fn fn) { return el_set(el, EL_GETCFN, fn); }
static inline int ceditline_set_clientdata(EditLine *el, void *data) { return el_set(el, EL_CLIENTDATA, data); }
static inline void *ceditline_clientdata(EditLine *el) {
    void *data = NULL;
    if (el_get(el, EL_CLIENTDATA, &data) != 0) return NULL;
    return data;
}
/* Forgets what libedit thinks is on the screen and draws prompt and line from the cursor. */
static inline int ceditline_refresh(EditLine *el) { return el_set(el, EL_REFRESH); }
static inline void ceditline_flush_stdout(void) { fflush(stdout); }

/* ---- terminal ---- */

/* Columns of the terminal on fd, 0 when unknown. */
static inline int ceditline_columns(int fd) {
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) != 0) return 0;
    return ws.ws_col;
}
/* A saved copy of the terminal modes, to restore them if all else fails. */
typedef struct { struct termios modes; int valid; } ceditline_tty_state;
static inline ceditline_tty_state ceditline_tty_save(int fd) {
    ceditline_tty_state s;
    memset(&s, 0, sizeof s);
    s.valid = tcgetattr(fd, &s.modes) == 0;
    return s;
}
static inline int ceditline_tty_restore(int fd, const ceditline_tty_state *s) {
    return s->valid ? tcsetattr(fd, TCSADRAIN, &s->modes) : -1;
}
/* LC_CTYPE from the environment, or C.UTF-8 when that is not UTF-8: libedit drops
   non-ASCII input in a non-UTF-8 locale. Returns 1 when the locale is UTF-8 afterwards. */
static inline int ceditline_utf8_locale(void) {
    setlocale(LC_CTYPE, "");
    const char *cs = nl_langinfo(CODESET);
    if (cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0)) return 1;
    if (setlocale(LC_CTYPE, "C.UTF-8") == NULL) setlocale(LC_CTYPE, "C.utf8");
    cs = nl_langinfo(CODESET);
    return cs && strcmp(cs, "UTF-8") == 0;
}

/* Columns a character takes (wcwidth, which <wchar.h> only declares under _XOPEN_SOURCE). */
extern int wcwidth(wchar_t c);
static inline int ceditline_wcwidth(wchar_t c) { return wcwidth(c); }

/* ---- history ---- */

static inline int ceditline_history_set_size(History *h, int size) {
    HistEvent ev; return history(h, &ev, H_SETSIZE, size);
}
static inline int ceditline_history_set_unique(History *h, int unique) {
    HistEvent ev; return history(h, &ev, H_SETUNIQUE, unique);
}
static inline int ceditline_history_enter(History *h, const char *line) {
    HistEvent ev; return history(h, &ev, H_ENTER, line);
}
static inline int ceditline_history_count(History *h) {
    HistEvent ev; return history(h, &ev, H_GETSIZE) == 0 ? ev.num : 0;
}
/* libedit's file format: "_HiStOrY_V2_" then one vis(3)-encoded line per entry. */
static inline int ceditline_history_load(History *h, const char *path) {
    HistEvent ev; return history(h, &ev, H_LOAD, path);
}
static inline int ceditline_history_save_fp(History *h, FILE *fp) {
    HistEvent ev; return history(h, &ev, H_SAVE_FP, fp);
}
