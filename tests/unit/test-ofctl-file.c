/* Tests for utilities/ofctl-file: reading flow files (comments, blank
 * lines, leading command words, errors with line numbers) and comparing
 * flow tables as diff-flows and replace-flows do. */
#include <config.h>
#include "utilities/ofctl-file.h"

#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include "dynamic-string.h"
#include "ofp-actions.h"
#include "test.h"

/* A stream that reads TEXT. */
static FILE *
text_stream(const char *text)
{
    FILE *stream = fmemopen((void *) text, strlen(text), "r");
    CHECK(stream != NULL);
    return stream;
}

TEST(read_lines_skips_comments_and_blanks)
{
    FILE *stream = text_stream("# header\n"
                               "\n"
                               "   \t\n"
                               "priority=5,actions=drop  # trailing\n"
                               "#only comment\n"
                               "ip,actions=normal");
    struct ds line = DS_EMPTY_INITIALIZER;
    int line_number = 0;

    CHECK_EQ(ofctl_read_flow_line(stream, &line, &line_number), 0);
    CHECK_STREQ(ds_cstr(&line), "priority=5,actions=drop  ");
    CHECK_EQ(line_number, 4);
    CHECK_EQ(ofctl_read_flow_line(stream, &line, &line_number), 0);
    CHECK_STREQ(ds_cstr(&line), "ip,actions=normal");
    CHECK_EQ(line_number, 6);
    CHECK_EQ(ofctl_read_flow_line(stream, &line, &line_number), EOF);
    CHECK_EQ(ofctl_read_flow_line(stream, &line, &line_number), EOF);
    ds_destroy(&line);
    fclose(stream);
}

TEST(read_lines_empty_and_comment_only)
{
    static const char *const texts[] = { "", "\n\n", "# a\n#b", "  \n\t" };
    struct ds line = DS_EMPTY_INITIALIZER;

    for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
        FILE *stream = text_stream(texts[i]);
        int line_number = 0;
        CHECK_EQ(ofctl_read_flow_line(stream, &line, &line_number), EOF);
        fclose(stream);
    }
    ds_destroy(&line);
}

TEST(parse_file_with_command_words)
{
    FILE *stream = text_stream(
        "# flows\n"
        "priority=10,ip,actions=output:1\n"
        "add priority=20,arp actions=drop\n"
        "delete ip\n"
        "modify_strict priority=10,ip,actions=output:2\n"
        "delete_strict priority=20,arp\n");
    struct ofctl_flow_mods fms = { NULL, 0 };

    char *error = ofctl_parse_flow_file(stream, "f", -1, &fms);
    CHECK_MSG(!error, "%s", error);
    CHECK_EQ(fms.n, 5);
    CHECK_EQ(fms.fms[0].command, OFPUTIL_FC_ADD);
    CHECK_EQ(fms.fms[0].priority, 10);
    CHECK_EQ(fms.fms[1].command, OFPUTIL_FC_ADD);
    CHECK_EQ(fms.fms[1].priority, 20);
    CHECK_EQ(fms.fms[2].command, OFPUTIL_FC_DELETE);
    CHECK_EQ(fms.fms[3].command, OFPUTIL_FC_MODIFY_STRICT);
    CHECK_EQ(fms.fms[4].command, OFPUTIL_FC_DELETE_STRICT);

    /* Each flow owns its actions. */
    char *a0 = ofpacts_text(fms.fms[0].ofpacts, fms.fms[0].ofpacts_len);
    char *a3 = ofpacts_text(fms.fms[3].ofpacts, fms.fms[3].ofpacts_len);
    CHECK_STREQ(a0, "output:1");
    CHECK_STREQ(a3, "output:2");
    free(a0);
    free(a3);
    ofctl_flow_mods_destroy(&fms);
    CHECK_EQ(fms.n, 0);
    fclose(stream);
}

TEST(parse_file_error_names_line)
{
    FILE *stream = text_stream("actions=drop\n"
                               "\n"
                               "# comment\n"
                               "foo=bar,actions=drop\n"
                               "actions=normal\n");
    struct ofctl_flow_mods fms = { NULL, 0 };

    char *error = ofctl_parse_flow_file(stream, "flows.txt", OFPUTIL_FC_ADD,
                                        &fms);
    CHECK(error != NULL);
    CHECK_MSG(!strncmp(error, "flows.txt:4: ", 13), "%s", error);
    CHECK_MSG(strstr(error, "foo") != NULL, "%s", error);
    CHECK_EQ(fms.n, 1);         /* The flow before the bad line. */
    free(error);
    ofctl_flow_mods_destroy(&fms);
    fclose(stream);
}

TEST(parse_file_rejects_words_when_command_given)
{
    /* add-flow SWITCH - (one command for every line) has no words. */
    FILE *stream = text_stream("delete ip\n");
    struct ofctl_flow_mods fms = { NULL, 0 };

    char *error = ofctl_parse_flow_file(stream, "-", OFPUTIL_FC_ADD, &fms);
    CHECK(error != NULL);
    CHECK_MSG(!strncmp(error, "-:1: ", 5), "%s", error);
    free(error);
    ofctl_flow_mods_destroy(&fms);
    fclose(stream);
}

TEST(parse_missing_file)
{
    struct ofctl_flow_mods fms = { NULL, 0 };
    char *error = ofctl_parse_flow_file_name("/nonexistent/flows", -1, &fms);

    CHECK(error != NULL);
    CHECK_MSG(strstr(error, "/nonexistent/flows") != NULL, "%s", error);
    free(error);
}

/* Parses TEXT (one flow per line) into version INDEX of FTES. */
static void
add_flows(struct ofctl_ftes *ftes, const char *text, int index)
{
    FILE *stream = text_stream(text);
    struct ofctl_flow_mods fms = { NULL, 0 };

    char *error = ofctl_parse_flow_file(stream, "t", OFPUTIL_FC_ADD, &fms);
    CHECK_MSG(!error, "%s", error);
    for (size_t i = 0; i < fms.n; i++) {
        ofctl_ftes_insert_flow_mod(ftes, &fms.fms[i], index);
    }
    ofctl_flow_mods_destroy(&fms);
    fclose(stream);
}

static char *
diff(const char *a, const char *b, bool *differs)
{
    struct ofctl_ftes ftes;
    struct ds s = DS_EMPTY_INITIALIZER;

    ofctl_ftes_init(&ftes);
    add_flows(&ftes, a, 0);
    add_flows(&ftes, b, 1);
    *differs = ofctl_ftes_diff(&ftes, &s);
    ofctl_ftes_destroy(&ftes);
    return ds_steal_cstr(&s);
}

TEST(diff_identical)
{
    const char *flows = "priority=5,ip,actions=drop\n"
                        "table=1,arp,actions=normal\n";
    bool differs;
    char *out = diff(flows, flows, &differs);

    CHECK(!differs);
    CHECK_STREQ(out, "");
    free(out);
}

TEST(diff_reports_changes_in_order)
{
    bool differs;
    char *out = diff(
        "priority=5,ip,actions=drop\n"
        "table=1,arp,actions=normal\n"
        "priority=7,tcp,tp_dst=80,cookie=0x5,idle_timeout=10,actions=drop\n",
        "priority=5,ip,actions=output:1\n"
        "priority=7,tcp,tp_dst=80,cookie=0x5,idle_timeout=10,actions=drop\n"
        "priority=9,udp,hard_timeout=3,actions=drop\n"
        "table=2,actions=drop\n", &differs);

    CHECK(differs);
    CHECK_STREQ(out,
                "+priority=9,udp hard_timeout=3 actions=drop\n"
                "-priority=5,ip actions=drop\n"
                "+priority=5,ip actions=output:1\n"
                "-table=1 arp actions=NORMAL\n"
                "+table=2  actions=drop\n");
    free(out);
}

TEST(diff_same_match_other_priority_or_table_differs)
{
    bool differs;
    char *out = diff("priority=5,ip,actions=drop\n",
                     "priority=6,ip,actions=drop\n", &differs);
    CHECK(differs);
    CHECK_STREQ(out, "+priority=6,ip actions=drop\n"
                "-priority=5,ip actions=drop\n");
    free(out);

    out = diff("cookie=0x1,ip,actions=drop\n",
               "cookie=0x2,ip,actions=drop\n", &differs);
    CHECK(differs);
    CHECK_STREQ(out, "-ip cookie=0x1 actions=drop\n"
                "+ip cookie=0x2 actions=drop\n");
    free(out);
}

TEST(last_version_wins)
{
    bool differs;
    char *out = diff("ip,actions=drop\nip,actions=output:3\n",
                     "ip,actions=output:3\n", &differs);
    CHECK(!differs);
    free(out);
}

TEST(version_equality_ignores_flags)
{
    struct ofctl_fte_version *a = ofctl_fte_version_create(
        htobe64(1), 10, 0, OFPUTIL_FF_SEND_FLOW_REM, NULL, 0);
    struct ofctl_fte_version *b = ofctl_fte_version_create(
        htobe64(1), 10, 0, 0, NULL, 0);
    struct ofctl_fte_version *c = ofctl_fte_version_create(
        htobe64(1), 11, 0, 0, NULL, 0);

    CHECK(ofctl_fte_version_equal(a, b));
    CHECK(!ofctl_fte_version_equal(a, c));
    CHECK_STREQ(a->actions, "drop");
    ofctl_fte_version_destroy(a);
    ofctl_fte_version_destroy(b);
    ofctl_fte_version_destroy(c);
}

TEST(sorted_order)
{
    struct ofctl_ftes ftes;
    size_t n;

    ofctl_ftes_init(&ftes);
    add_flows(&ftes, "table=3,actions=drop\n"
              "priority=1,actions=drop\n"
              "priority=100,udp,actions=drop\n"
              "priority=100,arp,actions=drop\n", 0);
    struct ofctl_fte **sorted = ofctl_ftes_sorted(&ftes, &n);
    CHECK_EQ(n, 4);
    CHECK_EQ(sorted[0]->priority, 100);
    CHECK_EQ(sorted[0]->match.flow.dl_type, htons(0x0806));
    CHECK_EQ(sorted[1]->priority, 100);
    CHECK_EQ(sorted[2]->priority, 1);
    CHECK_EQ(sorted[3]->table_id, 3);
    free(sorted);
    ofctl_ftes_destroy(&ftes);
}
