/* html_assets: the stylesheet (html_assets.c) and the script (html_script.c)
 * of the HTML report, kept as C string literals so the report is one
 * self-contained file (no network fetches, no files next to it). Private to
 * reports/html.c. */
#ifndef WSSPEC_HTML_ASSETS_H
#define WSSPEC_HTML_ASSETS_H

/* Each is a NULL-terminated array of lines (without their '\n'), split so no
 * single literal passes the 4095 characters ISO C requires compilers to
 * accept. The script reads the report from <script id="report-data"> and
 * builds the page with DOM calls (textContent only, never innerHTML). */
extern const char *const report_html_css[];
extern const char *const report_html_js[];

#endif
