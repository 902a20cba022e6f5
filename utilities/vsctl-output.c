/*
 * vsctl-output: tables in ovs-vsctl's output formats.  See
 * vsctl-output.h.
 */
#include <config.h>

#include "vsctl-output.h"

#include <ctype.h>
#include <string.h>
#include "json.h"

struct vsctl_table *
vsctl_table_create(void)
{
    return xzalloc(sizeof(struct vsctl_table));
}

static void
cell_destroy(struct vsctl_cell *cell)
{
    if (cell->has_datum) {
        ovsdb_datum_destroy(&cell->datum, cell->type);
    }
    free(cell->text);
}

void
vsctl_table_destroy(struct vsctl_table *table)
{
    if (table) {
        for (size_t i = 0; i < table->n_columns; i++) {
            free(table->headings[i]);
        }
        free(table->headings);
        for (size_t i = 0; i < table->n_rows * table->n_columns; i++) {
            cell_destroy(&table->cells[i]);
        }
        free(table->cells);
        free(table);
    }
}

void
vsctl_table_add_column(struct vsctl_table *table, const char *heading)
{
    plx_assert(!table->n_rows);
    table->headings = xrealloc(table->headings, (table->n_columns + 1)
                               * sizeof *table->headings);
    table->headings[table->n_columns++] = xstrdup(heading);
}

static struct vsctl_cell *
table_cell(const struct vsctl_table *table, size_t row, size_t column)
{
    return &table->cells[row * table->n_columns + column];
}

void
vsctl_table_add_row(struct vsctl_table *table)
{
    if (table->n_rows >= table->allocated_rows) {
        table->allocated_rows = table->allocated_rows
                                ? 2 * table->allocated_rows : 8;
        table->cells = xrealloc(table->cells,
                                table->allocated_rows
                                * (table->n_columns ? table->n_columns : 1)
                                * sizeof *table->cells);
    }
    size_t y = table->n_rows++;
    memset(table_cell(table, y, 0), 0,
           table->n_columns * sizeof *table->cells);
    table->current_column = 0;
}

struct vsctl_cell *
vsctl_table_add_cell(struct vsctl_table *table)
{
    plx_assert(table->n_rows > 0);
    plx_assert(table->current_column < table->n_columns);
    return table_cell(table, table->n_rows - 1, table->current_column++);
}

void
vsctl_cell_set_datum(struct vsctl_cell *cell, const struct ovsdb_datum *d,
                     const struct ovsdb_type *type)
{
    plx_assert(!cell->has_datum && !cell->text);
    ovsdb_datum_clone(&cell->datum, d, type);
    cell->type = type;
    cell->has_datum = true;
}

void
vsctl_cell_set_text(struct vsctl_cell *cell, const char *text)
{
    plx_assert(!cell->has_datum && !cell->text);
    cell->text = xstrdup(text);
}

/* ---- JSON in Open vSwitch's style. ---- */

static void
put_indent(struct ds *out, bool pretty, int depth)
{
    if (pretty) {
        ds_put_char(out, '\n');
        ds_put_char_multiple(out, ' ', 2 * depth);
    }
}

static int
compare_strings(const void *a_, const void *b_)
{
    const char *const *a = a_;
    const char *const *b = b_;
    return strcmp(*a, *b);
}

static void
json_put(const json_t *json, bool pretty, int depth, struct ds *out)
{
    if (json_is_array(json)) {
        size_t n = json_array_size(json);
        ds_put_char(out, '[');
        if (n) {
            put_indent(out, pretty, depth + 1);
            for (size_t i = 0; i < n; i++) {
                if (i) {
                    ds_put_char(out, ',');
                    put_indent(out, pretty, depth + 1);
                }
                json_put(json_array_get(json, i), pretty, depth + 1, out);
            }
        }
        ds_put_char(out, ']');
    } else if (json_is_object(json)) {
        size_t n = json_object_size(json);
        const char **keys = xmalloc((n ? n : 1) * sizeof *keys);
        const char *key;
        json_t *value;
        size_t i = 0;

        json_object_foreach ((json_t *) json, key, value) {
            keys[i++] = key;
        }
        qsort(keys, n, sizeof *keys, compare_strings);

        ds_put_char(out, '{');
        put_indent(out, pretty, depth + 1);
        for (i = 0; i < n; i++) {
            if (i) {
                ds_put_char(out, ',');
                put_indent(out, pretty, depth + 1);
            }
            json_t *k = json_string(keys[i]);
            json_put(k, pretty, depth + 1, out);
            json_decref(k);
            ds_put_char(out, ':');
            if (pretty) {
                ds_put_char(out, ' ');
            }
            json_put(json_object_get(json, keys[i]), pretty, depth + 1, out);
        }
        ds_put_char(out, '}');
        free(keys);
    } else {
        json_to_ds(json, JSON_COMPACT, out);
    }
}

void
vsctl_json_to_ds(const json_t *json, bool pretty, struct ds *out)
{
    json_put(json, pretty, 0, out);
}

/* ---- Cells. ---- */

/* The text of CELL in STYLE's cell format; the caller frees it. */
static char *
cell_to_text(const struct vsctl_cell *cell,
             const struct vsctl_table_style *style)
{
    struct ds s = DS_EMPTY_INITIALIZER;

    if (cell->text) {
        ds_put_cstr(&s, cell->text);
    } else if (cell->has_datum) {
        if (style->cell_format == VSCTL_CF_JSON) {
            json_t *json = ovsdb_datum_to_json(&cell->datum, cell->type);
            vsctl_json_to_ds(json, false, &s);
            json_decref(json);
        } else if (style->cell_format == VSCTL_CF_STRING) {
            ovsdb_datum_to_string(&cell->datum, cell->type, &s);
        } else {
            ovsdb_datum_to_bare(&cell->datum, cell->type, &s);
        }
    }
    return ds_steal_cstr(&s);
}

/* Every cell's text, row-major. */
static char **
table_texts(const struct vsctl_table *table,
            const struct vsctl_table_style *style)
{
    size_t n = table->n_rows * table->n_columns;
    char **texts = xmalloc((n ? n : 1) * sizeof *texts);
    for (size_t i = 0; i < n; i++) {
        texts[i] = cell_to_text(&table->cells[i], style);
    }
    return texts;
}

static void
free_texts(const struct vsctl_table *table, char **texts)
{
    for (size_t i = 0; i < table->n_rows * table->n_columns; i++) {
        free(texts[i]);
    }
    free(texts);
}

static void
finish_line(struct ds *s)
{
    while (s->length && s->string[s->length - 1] == ' ') {
        s->length--;
    }
    ds_put_char(s, '\n');
}

/* ---- Formats. ---- */

static void
format_table(const struct vsctl_table *table,
             const struct vsctl_table_style *style, char **texts,
             struct ds *s)
{
    int *widths = xcalloc(table->n_columns ? table->n_columns : 1,
                          sizeof *widths);

    for (size_t x = 0; x < table->n_columns; x++) {
        int w = 0;
        for (size_t y = 0; y < table->n_rows; y++) {
            int len = strlen(texts[y * table->n_columns + x]);
            w = MAX(w, len);
        }
        if (style->max_column_width > 0 && w > style->max_column_width) {
            w = style->max_column_width;
        }
        if (style->headings) {
            w = MAX(w, (int) strlen(table->headings[x]));
        }
        widths[x] = w;
    }

    if (style->headings) {
        for (size_t x = 0; x < table->n_columns; x++) {
            ds_put_format(s, "%s%-*s", x ? " " : "", widths[x],
                          table->headings[x]);
        }
        finish_line(s);
        for (size_t x = 0; x < table->n_columns; x++) {
            if (x) {
                ds_put_char(s, ' ');
            }
            ds_put_char_multiple(s, '-', widths[x]);
        }
        finish_line(s);
    }
    for (size_t y = 0; y < table->n_rows; y++) {
        for (size_t x = 0; x < table->n_columns; x++) {
            ds_put_format(s, "%s%-*.*s", x ? " " : "", widths[x], widths[x],
                          texts[y * table->n_columns + x]);
        }
        finish_line(s);
    }
    free(widths);
}

static void
format_list(const struct vsctl_table *table,
            const struct vsctl_table_style *style, char **texts,
            struct ds *s)
{
    for (size_t y = 0; y < table->n_rows; y++) {
        if (y) {
            ds_put_char(s, '\n');
        }
        for (size_t x = 0; x < table->n_columns; x++) {
            if (style->headings) {
                ds_put_format(s, "%-20s: ", table->headings[x]);
            }
            ds_put_format(s, "%s\n", texts[y * table->n_columns + x]);
        }
    }
}

static void
put_html_escaped(const char *p, size_t n, struct ds *s)
{
    for (size_t i = 0; i < n && p[i]; i++) {
        switch (p[i]) {
        case '&':
            ds_put_cstr(s, "&amp;");
            break;
        case '<':
            ds_put_cstr(s, "&lt;");
            break;
        case '>':
            ds_put_cstr(s, "&gt;");
            break;
        case '"':
            ds_put_cstr(s, "&quot;");
            break;
        default:
            ds_put_char(s, p[i]);
            break;
        }
    }
}

/* Whether P starts with a UUID in its 36-character form. */
static bool
starts_with_uuid(const char *p)
{
    for (int i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? p[i] != '-' : !isxdigit((unsigned char) p[i])) {
            return false;
        }
    }
    return true;
}

static void
put_html_cell(const char *element, const char *content, struct ds *s)
{
    ds_put_format(s, "    <%s>", element);
    for (const char *p = content; *p; ) {
        if (starts_with_uuid(p)) {
            ds_put_format(s, "<a href=\"#%.36s\">%.8s</a>", p, p);
            p += 36;
        } else {
            put_html_escaped(p, 1, s);
            p++;
        }
    }
    ds_put_format(s, "</%s>\n", element);
}

static void
format_html(const struct vsctl_table *table,
            const struct vsctl_table_style *style, char **texts,
            struct ds *s)
{
    ds_put_cstr(s, "<table border=1>\n");
    if (style->headings) {
        ds_put_cstr(s, "  <tr>\n");
        for (size_t x = 0; x < table->n_columns; x++) {
            put_html_cell("th", table->headings[x], s);
        }
        ds_put_cstr(s, "  </tr>\n");
    }
    for (size_t y = 0; y < table->n_rows; y++) {
        ds_put_cstr(s, "  <tr>\n");
        for (size_t x = 0; x < table->n_columns; x++) {
            const char *text = texts[y * table->n_columns + x];
            if (!strcmp(table->headings[x], "_uuid")) {
                ds_put_cstr(s, "    <td><a name=\"");
                put_html_escaped(text, strlen(text), s);
                ds_put_cstr(s, "\">");
                put_html_escaped(text, 8, s);
                ds_put_cstr(s, "</a></td>\n");
            } else {
                put_html_cell("td", text, s);
            }
        }
        ds_put_cstr(s, "  </tr>\n");
    }
    ds_put_cstr(s, "</table>\n");
}

static void
put_csv_cell(const char *content, struct ds *s)
{
    if (!strpbrk(content, "\n\",")) {
        ds_put_cstr(s, content);
        return;
    }
    ds_put_char(s, '"');
    for (const char *p = content; *p; p++) {
        if (*p == '"') {
            ds_put_cstr(s, "\"\"");
        } else {
            ds_put_char(s, *p);
        }
    }
    ds_put_char(s, '"');
}

static void
format_csv(const struct vsctl_table *table,
           const struct vsctl_table_style *style, char **texts,
           struct ds *s)
{
    if (style->headings) {
        for (size_t x = 0; x < table->n_columns; x++) {
            if (x) {
                ds_put_char(s, ',');
            }
            put_csv_cell(table->headings[x], s);
        }
        ds_put_char(s, '\n');
    }
    for (size_t y = 0; y < table->n_rows; y++) {
        for (size_t x = 0; x < table->n_columns; x++) {
            if (x) {
                ds_put_char(s, ',');
            }
            put_csv_cell(texts[y * table->n_columns + x], s);
        }
        ds_put_char(s, '\n');
    }
}

static void
format_json(const struct vsctl_table *table,
            const struct vsctl_table_style *style, struct ds *s)
{
    json_t *headings = json_array();
    for (size_t x = 0; x < table->n_columns; x++) {
        json_array_append_new(headings, json_string(table->headings[x]));
    }

    json_t *data = json_array();
    for (size_t y = 0; y < table->n_rows; y++) {
        json_t *row = json_array();
        for (size_t x = 0; x < table->n_columns; x++) {
            const struct vsctl_cell *cell = table_cell(table, y, x);
            json_t *v = (cell->text ? json_string(cell->text)
                         : cell->has_datum
                         ? ovsdb_datum_to_json(&cell->datum, cell->type)
                         : json_null());
            json_array_append_new(row, v ? v : json_null());
        }
        json_array_append_new(data, row);
    }

    json_t *json = json_object();
    json_object_set_new(json, "headings", headings);
    json_object_set_new(json, "data", data);
    vsctl_json_to_ds(json, style->pretty, s);
    ds_put_char(s, '\n');
    json_decref(json);
}

void
vsctl_table_format(const struct vsctl_table *table,
                   const struct vsctl_table_style *style, bool *first,
                   struct ds *out)
{
    if (style->format == VSCTL_TF_JSON) {
        format_json(table, style, out);
        return;
    }

    char **texts = table_texts(table, style);
    if (style->format == VSCTL_TF_HTML) {
        format_html(table, style, texts, out);
    } else {
        if (!*first) {
            ds_put_char(out, '\n');
        }
        *first = false;
        switch (style->format) {
        case VSCTL_TF_TABLE:
            format_table(table, style, texts, out);
            break;
        case VSCTL_TF_CSV:
            format_csv(table, style, texts, out);
            break;
        case VSCTL_TF_LIST:
        case VSCTL_TF_HTML:
        case VSCTL_TF_JSON:
        default:
            format_list(table, style, texts, out);
            break;
        }
    }
    free_texts(table, texts);
}

char *
vsctl_table_parse_format(struct vsctl_table_style *style, const char *s)
{
    static const struct {
        const char *name;
        enum vsctl_table_format format;
    } formats[] = {
        { "table", VSCTL_TF_TABLE }, { "list", VSCTL_TF_LIST },
        { "html", VSCTL_TF_HTML }, { "csv", VSCTL_TF_CSV },
        { "json", VSCTL_TF_JSON },
    };
    for (size_t i = 0; i < ARRAY_SIZE(formats); i++) {
        if (!strcmp(s, formats[i].name)) {
            style->format = formats[i].format;
            return NULL;
        }
    }
    return xasprintf("unknown output format \"%s\"", s);
}

char *
vsctl_table_parse_cell_format(struct vsctl_table_style *style,
                              const char *s)
{
    if (!strcmp(s, "string")) {
        style->cell_format = VSCTL_CF_STRING;
    } else if (!strcmp(s, "bare")) {
        style->cell_format = VSCTL_CF_BARE;
    } else if (!strcmp(s, "json")) {
        style->cell_format = VSCTL_CF_JSON;
    } else {
        return xasprintf("unknown data format \"%s\"", s);
    }
    return NULL;
}

void
vsctl_put_oneline(const char *s, struct ds *out)
{
    size_t n = strlen(s);

    if (n && s[n - 1] == '\n') {
        n--;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n') {
            ds_put_cstr(out, "\\n");
        } else if (s[i] == '\\') {
            ds_put_cstr(out, "\\\\");
        } else {
            ds_put_char(out, s[i]);
        }
    }
    ds_put_char(out, '\n');
}
