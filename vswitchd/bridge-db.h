/*
 * bridge-db: two database details of plx-vswitchd's bridge layer that
 * need nothing of its state: which columns it writes (so that their
 * changes do not count as configuration changes), and the driver
 * information it reports in an Interface's 'status'.
 */
#ifndef PLX_BRIDGE_DB_H
#define PLX_BRIDGE_DB_H 1

struct ovsdb_idl;
struct smap;

/* Replicates, without alerting on changes, every column plx-vswitchd
 * writes (ofport, statistics, status, ...). */
void bridge_db_omit_written_columns(struct ovsdb_idl *);

/* Adds to STATUS the driver name, version and firmware version of Linux
 * device NAME, as `ethtool -i` reports them (nothing if it cannot). */
void bridge_db_read_driver_status(const char *name, struct smap *status);

#endif /* bridge-db.h */
