/* html_assets: the stylesheet and the script of the HTML report. They live
 * as files in reports/assets/ (report.css, report.js); the build checks them
 * (nothing that could end the <style>/<script> element, no fetch of any kind)
 * and embeds their bytes here (cmake/embed_asset.cmake), so the report stays
 * one self-contained file. Private to reports/render/html.c. */
#ifndef WSSPEC_HTML_ASSETS_H
#define WSSPEC_HTML_ASSETS_H

#include <stddef.h>

/* The bytes of reports/assets/report.css (no terminating NUL). */
extern const unsigned char html_assets_css[];
extern const size_t html_assets_css_len;
/* The bytes of reports/assets/report.js (no terminating NUL). The script
 * reads the report from <script id="report-data"> and builds the page with
 * DOM calls (textContent only, never innerHTML). */
extern const unsigned char html_assets_js[];
extern const size_t html_assets_js_len;

#endif
