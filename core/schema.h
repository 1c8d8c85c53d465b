/*
 * schema.h - the SQL migrations compiled in from schema/NNN_*.sql.
 *
 * Migration i (0-based) brings a database from user_version i to i + 1.
 */
#ifndef IMIP_SCHEMA_H
#define IMIP_SCHEMA_H

extern const char *const imip_schema_migrations[];
extern const int imip_schema_count;

#endif
