/* Tests for lib/ofp-errors.c. */
#include <config.h>
#include "ofp-errors.h"

#include <errno.h>
#include "test.h"

static const uint8_t versions[] = { OFP10_VERSION, OFP13_VERSION };

TEST(names_unique_and_present)
{
    for (int i = OFPERR_OFS; i < OFPERR_END; i++) {
        const char *name = ofperr_get_name(i);
        CHECK_MSG(name && strcmp(name, "<invalid>"), "error %d unnamed", i);
        CHECK_MSG(strlen(ofperr_get_description(i)) > 5,
                  "%s has no description", name);
        CHECK_EQ(ofperr_from_name(name), i);
        for (int j = OFPERR_OFS; j < i; j++) {
            CHECK_MSG(strcmp(name, ofperr_get_name(j)),
                      "%s duplicated", name);
        }
    }
    CHECK_STREQ(ofperr_get_name(OFPERR_OFPBMC_BAD_PREREQ),
                "OFPBMC_BAD_PREREQ");
    CHECK_EQ(ofperr_from_name("OFPERR_OFPBMC_DUP_FIELD"),
             OFPERR_OFPBMC_DUP_FIELD);
    CHECK_EQ(ofperr_from_name("NO_SUCH_ERROR"), 0);
    CHECK_STREQ(ofperr_get_name(0), "OK");
    CHECK_STREQ(ofperr_get_name(OFPERR_END), "<invalid>");
}

TEST(every_error_encodable_somewhere)
{
    for (int i = OFPERR_OFS; i < OFPERR_END; i++) {
        CHECK_MSG(ofperr_is_encodable(i, OFP10_VERSION)
                  || ofperr_is_encodable(i, OFP13_VERSION),
                  "%s has no encoding", ofperr_get_name(i));
    }
}

/* Round trip through the wire form, in each version an error exists in.
 * The only expected collision: OF1.0 (1,5) is OFPBRC_EPERM and
 * OFPBRC_IS_SLAVE, and decodes as the former. */
TEST(round_trip)
{
    int n = 0;
    for (size_t v = 0; v < ARRAY_SIZE(versions); v++) {
        uint8_t version = versions[v];
        for (int i = OFPERR_OFS; i < OFPERR_END; i++) {
            if (!ofperr_is_encodable(i, version)) {
                continue;
            }
            struct ofperr_wire w;
            CHECK_EQ(ofperr_encode(i, version, &w), i);
            enum ofperr back = ofperr_decode_vendor(version, w.vendor,
                                                    w.type, w.code);
            if (version == OFP10_VERSION && i == OFPERR_OFPBRC_IS_SLAVE) {
                CHECK_EQ(back, OFPERR_OFPBRC_EPERM);
            } else {
                CHECK_MSG(back == (enum ofperr) i,
                          "%s in version %d decodes as %s",
                          ofperr_get_name(i), version, ofperr_get_name(back));
            }
            uint16_t type, code;
            bool std = ofperr_encode_type_code(i, version, &type, &code);
            CHECK_EQ(std, w.vendor == 0);
            if (std) {
                CHECK_EQ(type, w.type);
                CHECK_EQ(code, w.code);
                CHECK_EQ(ofperr_decode(version, type, code), back);
            }
            n++;
        }
    }
    CHECK_GT(n, 150);
}

/* Spot checks against the OpenFlow 1.0.0 and 1.3.x specifications. */
TEST(spec_numbers)
{
    uint16_t t, c;
    CHECK(ofperr_encode_type_code(OFPERR_OFPFMFC_OVERLAP, OFP10_VERSION,
                                  &t, &c));
    CHECK_EQ(t, 3);
    CHECK_EQ(c, 1);
    CHECK(ofperr_encode_type_code(OFPERR_OFPFMFC_OVERLAP, OFP13_VERSION,
                                  &t, &c));
    CHECK_EQ(t, 5);
    CHECK_EQ(c, 3);
    CHECK(ofperr_encode_type_code(OFPERR_OFPBMC_BAD_PREREQ, OFP13_VERSION,
                                  &t, &c));
    CHECK_EQ(t, 4);
    CHECK_EQ(c, 9);
    CHECK(ofperr_encode_type_code(OFPERR_OFPTFFC_EPERM, OFP13_VERSION,
                                  &t, &c));
    CHECK_EQ(t, 13);
    CHECK_EQ(c, 5);
    CHECK(ofperr_encode_type_code(OFPERR_OFPQOFC_BAD_QUEUE, OFP10_VERSION,
                                  &t, &c));
    CHECK_EQ(t, 5);
    CHECK_EQ(c, 1);
    CHECK(ofperr_encode_type_code(OFPERR_OFPPMFC_BAD_HW_ADDR, OFP10_VERSION,
                                  &t, &c));
    CHECK_EQ(t, 4);
    CHECK_EQ(c, 1);
    CHECK_EQ(ofperr_decode(OFP13_VERSION, 12, 11),
             OFPERR_OFPMMFC_OUT_OF_BANDS);
    CHECK_EQ(ofperr_decode(OFP13_VERSION, 6, 14), OFPERR_OFPGMFC_EPERM);
    CHECK_EQ(ofperr_decode(OFP13_VERSION, 1, 10), OFPERR_OFPBRC_IS_SLAVE);
    CHECK_EQ(ofperr_decode(OFP10_VERSION, 3, 3),
             OFPERR_OFPFMFC_BAD_EMERG_TIMEOUT);
    CHECK_EQ(ofperr_decode(OFP10_VERSION, 1, 5), OFPERR_OFPBRC_EPERM);
}

TEST(no_encoding_and_unknown)
{
    uint16_t t = 77, c = 77;
    /* OF1.0 has no instructions, groups or meters. */
    CHECK(!ofperr_encode_type_code(OFPERR_OFPBIC_UNKNOWN_INST, OFP10_VERSION,
                                   &t, &c));
    CHECK(!ofperr_is_encodable(OFPERR_OFPGMFC_LOOP, OFP10_VERSION));
    CHECK_EQ(t, 77);
    struct ofperr_wire w;
    CHECK_EQ(ofperr_encode(OFPERR_OFPMMFC_BAD_RATE, OFP10_VERSION, &w),
             OFPERR_NXBRC_UNENCODABLE_ERROR);
    CHECK_EQ(w.vendor, OFPERR_NX_VENDOR_ID);
    CHECK_EQ(w.type, 1);
    CHECK_EQ(w.code, 521);
    CHECK_EQ(ofperr_encode(OFPERR_OFPFMFC_UNSUPPORTED, OFP13_VERSION, &w),
             OFPERR_NXBRC_UNENCODABLE_ERROR);
    CHECK_EQ(w.vendor, OFPERR_NX_VENDOR_ID);
    CHECK_EQ(w.type, 10);
    /* Bad-match errors in OF1.0 use Nicira's codes, as Open vSwitch. */
    CHECK(!ofperr_encode_type_code(OFPERR_OFPBMC_BAD_PREREQ, OFP10_VERSION,
                                   &t, &c));
    CHECK_EQ(ofperr_encode(OFPERR_OFPBMC_BAD_PREREQ, OFP10_VERSION, &w),
             OFPERR_OFPBMC_BAD_PREREQ);
    CHECK_EQ(w.vendor, OFPERR_NX_VENDOR_ID);
    CHECK_EQ(w.type, 1);
    CHECK_EQ(w.code, 260);
    /* Invalid inputs. */
    CHECK_EQ(ofperr_encode(12345, OFP13_VERSION, &w),
             OFPERR_NXBRC_UNENCODABLE_ERROR);
    CHECK(!ofperr_encode_type_code(OFPERR_OFPBMC_BAD_LEN, 0x05, &t, &c));
    CHECK_EQ(ofperr_decode(OFP13_VERSION, 4, 99), 0);
    CHECK_EQ(ofperr_decode(OFP13_VERSION, 200, 0), 0);
    CHECK_EQ(ofperr_decode(0x02, 1, 1), 0);
    CHECK_EQ(ofperr_decode(OFP10_VERSION, 6, 0), 0);
    CHECK_EQ(ofperr_decode_vendor(OFP13_VERSION, 0x1234, 10, 0), 0);
    CHECK(!ofperr_is_valid(0));
    CHECK(!ofperr_is_valid(EINVAL));
    CHECK(ofperr_is_valid(OFPERR_OFPHFC_INCOMPATIBLE));
    CHECK_STREQ(ofperr_to_string(OFPERR_OFPBRC_BAD_LEN), "OFPBRC_BAD_LEN");
    CHECK(strcmp(ofperr_to_string(ENOENT), "<invalid>"));
}
