/* ovsdb/ovsdb: databases and replicas.  See ovsdb.h. */
#include <config.h>
#include "ovsdb/ovsdb.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "ovsdb/ovsdb-schema.h"
#include "ovsdb/table.h"
#include "ovsdb/transaction.h"

struct ovsdb_table *
ovsdb_get_table(const struct ovsdb *db, const char *name)
{
    struct ovsdb_table *table;

    HMAP_FOR_EACH_WITH_HASH (table, hmap_node, hash_string(name, 0),
                             &db->tables_by_name) {
        if (!strcmp(table->schema->name, name)) {
            return table;
        }
    }
    return NULL;
}

static struct ovsdb_table *
resolve_ref(const struct ovsdb *db, const struct ovsdb_base_type *base)
{
    return (ovsdb_base_type_is_ref(base)
            ? ovsdb_get_table(db, base->uuid.refTableName)
            : NULL);
}

static void
add_weak_src(struct ovsdb_table *dst, struct ovsdb_table *src,
             const struct ovsdb_column_schema *column)
{
    for (size_t i = 0; i < dst->n_weak_srcs; i++) {
        if (dst->weak_srcs[i].table == src
            && dst->weak_srcs[i].column == column) {
            return;
        }
    }
    dst->weak_srcs = xrealloc(dst->weak_srcs, (dst->n_weak_srcs + 1)
                              * sizeof *dst->weak_srcs);
    dst->weak_srcs[dst->n_weak_srcs].table = src;
    dst->weak_srcs[dst->n_weak_srcs].column = column;
    dst->n_weak_srcs++;
}

struct ovsdb *
ovsdb_create(struct ovsdb_schema *schema)
{
    struct ovsdb *db = xzalloc(sizeof *db);

    db->schema = schema;
    hmap_init(&db->tables_by_name);
    plx_list_init(&db->replicas);
    db->n_tables = schema->n_tables;
    db->tables = xcalloc(db->n_tables ? db->n_tables : 1, sizeof *db->tables);
    for (size_t i = 0; i < schema->n_tables; i++) {
        struct ovsdb_table *table = ovsdb_table_create(schema->tables[i]);
        db->tables[i] = table;
        hmap_insert(&db->tables_by_name, &table->hmap_node,
                    hash_string(table->schema->name, 0));
    }

    for (size_t i = 0; i < db->n_tables; i++) {
        struct ovsdb_table *table = db->tables[i];
        const struct ovsdb_table_schema *ts = table->schema;

        for (size_t j = 0; j < ts->n_columns; j++) {
            const struct ovsdb_column_schema *c = ts->columns[j];
            struct ovsdb_column_refs *refs = &table->refs[j];

            refs->key = resolve_ref(db, &c->type.key);
            refs->value = resolve_ref(db, &c->type.value);
            if (refs->key && ovsdb_base_type_is_weak_ref(&c->type.key)) {
                add_weak_src(refs->key, table, c);
            }
            if (refs->value
                && ovsdb_base_type_is_weak_ref(&c->type.value)) {
                add_weak_src(refs->value, table, c);
            }
        }
    }
    return db;
}

void
ovsdb_destroy(struct ovsdb *db)
{
    if (!db) {
        return;
    }
    if (db->txn) {
        ovsdb_txn_abort(db->txn);
    }

    struct ovsdb_replica *replica;
    LIST_FOR_EACH_POP (replica, node, &db->replicas) {
        replica->class->destroy(replica);
    }
    for (size_t i = 0; i < db->n_tables; i++) {
        ovsdb_table_destroy(db->tables[i]);
    }
    free(db->tables);
    hmap_destroy(&db->tables_by_name);
    ovsdb_schema_destroy(db->schema);
    free(db);
}

void
ovsdb_replica_init(struct ovsdb_replica *replica,
                   const struct ovsdb_replica_class *class)
{
    replica->class = class;
    plx_list_poison(&replica->node);
}

void
ovsdb_add_replica(struct ovsdb *db, struct ovsdb_replica *replica)
{
    plx_list_push_back(&db->replicas, &replica->node);
}

void
ovsdb_remove_replica(struct ovsdb *db PLX_UNUSED,
                     struct ovsdb_replica *replica)
{
    plx_list_remove(&replica->node);
    plx_list_poison(&replica->node);
}
