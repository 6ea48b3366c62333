//! The administration of a school year: the block period, guest accounts' expiry, the
//! archives of year rollovers, and the deletion of an account with its personal documents.

use cartable_shared::admin::{Archive, ArchiveInfo, BlockNotice, GroupArchive};
use cartable_shared::ids::{DocId, GroupId, UserId};
use rusqlite::{OptionalExtension, params};

use super::{Dao, StoreError};

/// Where a group stands in a rollover.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveState {
    /// Its documents are saved in the archive; they may still have to be emptied.
    Archived,
    /// Its documents are emptied and its students removed.
    Done,
}

impl ArchiveState {
    fn as_str(self) -> &'static str {
        match self {
            ArchiveState::Archived => "archived",
            ArchiveState::Done => "done",
        }
    }
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

fn user_id(s: String) -> Result<UserId, StoreError> {
    s.parse().map_err(|e| corrupt("user id", e))
}

impl Dao<'_> {
    /// The block period, whether or not its end has passed.
    pub fn block_period(&self) -> Result<Option<BlockNotice>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT message, until_ms FROM block_period WHERE id = 1", [], |r| {
                Ok(BlockNotice { message: r.get(0)?, until_ms: r.get(1)? })
            })
            .optional()?)
    }

    /// Sets (or replaces) the block period.
    pub fn set_block_period(
        &self,
        notice: &BlockNotice,
        by: &UserId,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO block_period (id, message, until_ms, set_by, set_ms)
             VALUES (1, ?1, ?2, ?3, ?4)",
            params![notice.message, notice.until_ms, by.as_str(), now_ms],
        )?;
        Ok(())
    }

    /// Lifts the block period; true if there was one.
    pub fn clear_block_period(&self) -> Result<bool, StoreError> {
        Ok(self.conn.execute("DELETE FROM block_period", [])? > 0)
    }

    /// Sets when an account expires (`None`: never).
    pub fn set_user_expiry(&self, user: &UserId, at_ms: Option<i64>) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE users SET expires_at_ms = ?2 WHERE id = ?1",
            params![user.as_str(), at_ms],
        )?;
        Ok(())
    }

    /// Expired accounts that still have sessions or push subscriptions (the clean-up's work).
    pub fn expired_with_leftovers(&self, now_ms: i64) -> Result<Vec<UserId>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id FROM users u WHERE expires_at_ms IS NOT NULL AND expires_at_ms <= ?1
             AND (EXISTS (SELECT 1 FROM sessions s WHERE s.user_id = u.id)
                  OR EXISTS (SELECT 1 FROM push_subscriptions p WHERE p.user_id = u.id))
             ORDER BY id",
        )?;
        let rows = stmt.query_map([now_ms], |r| r.get::<_, String>(0))?;
        rows.map(|r| user_id(r?)).collect()
    }

    /// Deletes an account; everything that references it goes with it (memberships,
    /// sessions, guardianships, push subscriptions, calendar token, API tokens it created,
    /// thread participations). True if it existed.
    pub fn delete_user(&self, user: &UserId) -> Result<bool, StoreError> {
        Ok(self.conn.execute("DELETE FROM users WHERE id = ?1", [user.as_str()])? > 0)
    }

    /// Erases what names `user` outside the account's own rows (which go with the account) and
    /// outside the documents (rebuilt by the hub): failed sign-ins tried with the login, the
    /// push events it wrote or that were meant for it or name it as a message's author (sent
    /// or not), and the login as the uploader of files, the creator of feeds and archives, the
    /// setter of the block period, or a value in archived documents all become `replacement`.
    /// Returns how many rows changed. Logins are plain (`[a-z0-9._-]`), so a JSON string equal
    /// to one is the login between quotes.
    pub fn erase_traces(&self, user: &UserId, replacement: &str) -> Result<usize, StoreError> {
        let (login, quoted) = (user.as_str(), format!("\"{user}\""));
        let mut n = self.conn.execute("DELETE FROM login_failures WHERE login = ?1", [login])?;
        n += self.conn.execute(
            "DELETE FROM push_events
             WHERE author = ?1 OR instr(recipients, ?2) > 0 OR instr(event, ?3) > 0",
            params![login, quoted, format!("\"from\":{quoted}")],
        )?;
        for (table, column) in [
            ("files", "uploaded_by"),
            ("feeds", "created_by"),
            ("archives", "created_by"),
            ("block_period", "set_by"),
        ] {
            n += self.conn.execute(
                &format!("UPDATE {table} SET {column} = ?2 WHERE {column} = ?1"),
                params![login, replacement],
            )?;
        }
        n += self.conn.execute(
            "UPDATE archive_groups SET body = replace(body, ?1, ?2) WHERE instr(body, ?1) > 0",
            params![quoted, format!("\"{replacement}\"")],
        )?;
        Ok(n)
    }

    /// Deletes a document with its changes, snapshot and sync states; true if it existed.
    pub fn delete_document(&self, id: &DocId) -> Result<bool, StoreError> {
        Ok(self.conn.execute("DELETE FROM documents WHERE id = ?1", [id.to_string()])? > 0)
    }

    /// Whether an archive exists, and if so whether it is complete.
    pub fn archive_completed(&self, label: &str) -> Result<Option<bool>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT completed_ms FROM archives WHERE label = ?1", [label], |r| {
                r.get::<_, Option<i64>>(0)
            })
            .optional()?
            .map(|c| c.is_some()))
    }

    /// Starts an archive (nothing happens if it was started already).
    pub fn start_archive(&self, label: &str, by: &UserId, now_ms: i64) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR IGNORE INTO archives (label, created_by, created_ms) VALUES (?1, ?2, ?3)",
            params![label, by.as_str(), now_ms],
        )?;
        Ok(())
    }

    /// Marks an archive complete.
    pub fn complete_archive(&self, label: &str, now_ms: i64) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE archives SET completed_ms = ?2 WHERE label = ?1",
            params![label, now_ms],
        )?;
        Ok(())
    }

    /// A group's archive in `label`, with its state.
    pub fn archived_group(
        &self,
        label: &str,
        group: &GroupId,
    ) -> Result<Option<(ArchiveState, GroupArchive)>, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT state, body FROM archive_groups WHERE label = ?1 AND group_id = ?2",
                params![label, group.as_str()],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
            )
            .optional()?;
        row.map(|(state, body)| {
            let state = if state == "done" { ArchiveState::Done } else { ArchiveState::Archived };
            Ok((state, serde_json::from_str(&body).map_err(|e| corrupt("archive", e))?))
        })
        .transpose()
    }

    /// Writes a group's archive in `label`, in `state`.
    pub fn put_archived_group(
        &self,
        label: &str,
        state: ArchiveState,
        group: &GroupArchive,
    ) -> Result<(), StoreError> {
        let body = serde_json::to_string(group).map_err(|e| corrupt("archive", e))?;
        self.conn.execute(
            "INSERT OR REPLACE INTO archive_groups (label, group_id, state, body)
             VALUES (?1, ?2, ?3, ?4)",
            params![label, group.group.as_str(), state.as_str(), body],
        )?;
        Ok(())
    }

    /// Whether an archive holds a document that references the file `sha256` (64 hex digits).
    pub fn file_in_archive(&self, sha256: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM archive_groups WHERE instr(body, ?1) > 0 LIMIT 1",
                [format!("\"{sha256}\"")],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Every file hash (a quoted string of 64 lowercase hex digits) the archives hold, read in
    /// one pass over their bodies. Anything of that shape counts, whichever field holds it: a
    /// hash that is not a file reference only keeps a file longer.
    pub fn files_in_archives(&self) -> Result<std::collections::HashSet<String>, StoreError> {
        let mut stmt = self.conn.prepare_cached("SELECT body FROM archive_groups")?;
        let mut rows = stmt.query([])?;
        let mut out = std::collections::HashSet::new();
        while let Some(row) = rows.next()? {
            let body: String = row.get(0)?;
            out.extend(quoted_hashes(&body).map(str::to_owned));
        }
        Ok(out)
    }

    /// Every complete archive, oldest first.
    pub fn archives(&self) -> Result<Vec<ArchiveInfo>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.label, a.created_ms, a.created_by,
                    (SELECT COUNT(*) FROM archive_groups g WHERE g.label = a.label)
             FROM archives a WHERE a.completed_ms IS NOT NULL ORDER BY a.created_ms, a.label",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?, r.get(3)?))
        })?;
        rows.map(|r| {
            let (label, created_ms, by, groups): (String, i64, String, i64) = r?;
            Ok(ArchiveInfo {
                label,
                created_ms,
                created_by: user_id(by)?,
                groups: u32::try_from(groups).unwrap_or(u32::MAX),
            })
        })
        .collect()
    }

    /// A complete archive with its groups.
    pub fn archive(&self, label: &str) -> Result<Option<Archive>, StoreError> {
        let Some(info) = self.archives()?.into_iter().find(|a| a.label == label) else {
            return Ok(None);
        };
        let mut stmt = self
            .conn
            .prepare_cached("SELECT body FROM archive_groups WHERE label = ?1 ORDER BY group_id")?;
        let rows = stmt.query_map([label], |r| r.get::<_, String>(0))?;
        let groups = rows
            .map(|r| serde_json::from_str(&r?).map_err(|e| corrupt("archive", e)))
            .collect::<Result<Vec<GroupArchive>, _>>()?;
        Ok(Some(Archive {
            label: info.label,
            created_ms: info.created_ms,
            created_by: info.created_by,
            groups,
        }))
    }
}

/// The quoted strings of exactly 64 lowercase hex digits in `text` (SHA-256 hashes in JSON).
fn quoted_hashes(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().filter_map(move |(i, &b)| {
        let hash = bytes.get(i + 1..i + 65)?;
        let is_hash = b == b'"'
            && bytes.get(i + 65) == Some(&b'"')
            && hash.iter().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'));
        // The 64 bytes are ASCII hex digits, so `i + 1..i + 65` falls on char boundaries.
        is_hash.then(|| &text[i + 1..i + 65])
    })
}

#[cfg(test)]
mod tests {
    use cartable_shared::roles::Role;

    use super::*;
    use crate::store::{NewUser, Store};

    #[test]
    fn quoted_hashes_are_exactly_64_lowercase_hex_digits_in_quotes() {
        let (a, b) = ("a".repeat(64), "0123456789abcdef".repeat(4));
        let text = format!(
            r#"{{"sha256":"{a}","x":["{b}"],"long":"{a}0","short":"{}","upper":"{}","é":"{b}"}}"#,
            &a[1..],
            a.to_uppercase()
        );
        let found: Vec<&str> = quoted_hashes(&text).collect();
        assert_eq!(found, [a.as_str(), b.as_str(), b.as_str()]);
    }

    /// Every text cell of every table that contains `needle`, as `table.column`.
    fn cells_naming(dao: &Dao<'_>, needle: &str) -> Vec<String> {
        let tables: Vec<String> = dao
            .conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let mut found = Vec::new();
        for table in tables {
            let columns: Vec<String> = dao
                .conn
                .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            for column in columns {
                let sql = format!(
                    "SELECT COUNT(*) FROM {table} WHERE typeof({column}) = 'text' AND instr({column}, ?1) > 0"
                );
                let n: i64 = dao.conn.query_row(&sql, [needle], |r| r.get(0)).unwrap();
                if n > 0 {
                    found.push(format!("{table}.{column}"));
                }
            }
        }
        found
    }

    #[test]
    fn no_table_names_an_erased_account_but_the_others_keep_theirs() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite3")).unwrap();
        let (gone, kept): (UserId, UserId) = ("marc.prof".parse().unwrap(), "lea".parse().unwrap());
        store
            .write_blocking(|dao| {
                for (id, role) in [(&gone, Role::Teacher), (&kept, Role::Student)] {
                    dao.insert_user(&NewUser {
                        id,
                        display_name: "x",
                        role,
                        password_hash: "!",
                        demo: false,
                        created_ms: 0,
                    })?;
                }
                dao.record_login_failure("marc.prof", 5, 0)?;
                dao.record_login_failure("lea", 5, 0)?;
                let c = &dao.conn;
                c.execute_batch(
                    r#"
                    INSERT INTO groups (id, name) VALUES ('g1', 'G1');
                    INSERT INTO push_events (doc, author, event, recipients, created_ms)
                      VALUES ('thread:t1', 'marc.prof', '{"text":{"kind":"message","from":"marc.prof"}}', NULL, 1),
                             ('thread:t2', 'lea', '{"text":{"kind":"message","from":"marc.prof"}}', NULL, 1),
                             ('me:marc.prof', NULL, '{}', '["marc.prof"]', 1),
                             ('thread:t3', 'lea', '{"text":{"kind":"message","from":"lea"}}', NULL, 1);
                    INSERT INTO files (sha256, size, mime, name, uploaded_by, uploaded_ms)
                      VALUES ('aa', 1, 'text/plain', 'a.txt', 'marc.prof', 1),
                             ('bb', 1, 'text/plain', 'b.txt', 'lea', 1);
                    INSERT INTO feeds (id, group_id, url, created_ms, created_by)
                      VALUES ('feed-1', 'g1', 'https://edt.example/g1.ics', 1, 'marc.prof');
                    INSERT INTO block_period (id, message, until_ms, set_by, set_ms)
                      VALUES (1, 'Rentrée', NULL, 'marc.prof', 1);
                    INSERT INTO archives (label, created_by, created_ms) VALUES ('2025-2026', 'marc.prof', 1);
                    INSERT INTO archive_groups (label, group_id, state, body)
                      VALUES ('2025-2026', 'g1', 'done', '{"homework":{"author":"marc.prof","by":"marc.professeur"}}');
                    "#,
                )?;
                Ok::<_, StoreError>(())
            })
            .unwrap();
        let named = store.read_blocking(|dao| Ok::<_, StoreError>(cells_naming(dao, "marc.prof")));
        assert!(named.unwrap().len() >= 8, "the fixture names the account everywhere");

        store
            .write_blocking(|dao| {
                dao.erase_traces(&gone, "deleted-account")?;
                dao.delete_user(&gone)
            })
            .unwrap();
        store
            .read_blocking(|dao| {
                // Only the archived "marc.professeur", which is not the login, still contains it.
                assert_eq!(cells_naming(dao, "\"marc.prof\""), Vec::<String>::new());
                assert_eq!(cells_naming(dao, "marc.prof"), ["archive_groups.body"]);
                let (events, lea_failures): (i64, i64) = (
                    dao.conn.query_row("SELECT COUNT(*) FROM push_events", [], |r| r.get(0))?,
                    dao.conn.query_row(
                        "SELECT COUNT(*) FROM login_failures WHERE login = 'lea'",
                        [],
                        |r| r.get(0),
                    )?,
                );
                assert_eq!((events, lea_failures), (1, 1), "lea's own event and failure stay");
                assert_eq!(dao.file("bb")?.unwrap().uploaded_by, "lea");
                assert_eq!(dao.file("aa")?.unwrap().uploaded_by, "deleted-account");
                Ok::<_, StoreError>(())
            })
            .unwrap();
    }
}
