//! Accounts, groups and memberships.

use cartable_shared::admin::GroupSummary;
use cartable_shared::ids::{GroupId, UserId};
use cartable_shared::roles::{Principal, Role};
use cartable_shared::text::sort_by_name;
use rusqlite::{OptionalExtension, params};

use super::{Dao, StoreError};

/// An account as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    /// The account (its login).
    pub id: UserId,
    /// The name to show.
    pub display_name: String,
    /// Its role.
    pub role: Role,
    /// PHC string of its Argon2id hash, or `!` when it has no usable password.
    pub password_hash: String,
    /// A demo account: its password is refused unless the server runs with `--demo`.
    pub demo: bool,
    /// When a guest account expires, UTC milliseconds.
    pub expires_at_ms: Option<i64>,
    /// When it was created, UTC milliseconds.
    pub created_ms: i64,
}

impl UserRow {
    /// Whether the account has expired at `now_ms`.
    pub fn expired(&self, now_ms: i64) -> bool {
        self.expires_at_ms.is_some_and(|t| t <= now_ms)
    }
}

/// An account to create.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    /// The account (its login).
    pub id: &'a UserId,
    /// The name to show.
    pub display_name: &'a str,
    /// Its role.
    pub role: Role,
    /// PHC string of the password hash, or `!`.
    pub password_hash: &'a str,
    /// A demo account.
    pub demo: bool,
    /// Creation time, UTC milliseconds.
    pub created_ms: i64,
}

fn parse<T: std::str::FromStr>(s: String, what: &str) -> Result<T, StoreError>
where
    T::Err: std::fmt::Display,
{
    s.parse().map_err(|e: T::Err| StoreError::Corrupt(format!("{what} {s:?}: {e}")))
}

impl Dao<'_> {
    /// Creates an account.
    pub fn insert_user(&self, u: &NewUser<'_>) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO users (id, display_name, role, password_hash, demo, created_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                u.id.as_str(),
                u.display_name,
                u.role.as_str(),
                u.password_hash,
                u.demo,
                u.created_ms
            ],
        )?;
        Ok(())
    }

    /// An account by id.
    pub fn user(&self, id: &UserId) -> Result<Option<UserRow>, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT id, display_name, role, password_hash, demo, expires_at_ms, created_ms
                 FROM users WHERE id = ?1",
                [id.as_str()],
                |r| {
                    Ok((
                        (r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?),
                        (r.get::<_, String>(3)?, r.get::<_, bool>(4)?),
                        (r.get::<_, Option<i64>>(5)?, r.get::<_, i64>(6)?),
                    ))
                },
            )
            .optional()?;
        row.map(|((id, display_name, role), (password_hash, demo), (expires_at_ms, created_ms))| {
            Ok(UserRow {
                id: parse(id, "user id")?,
                display_name,
                role: parse(role, "role")?,
                password_hash,
                demo,
                expires_at_ms,
                created_ms,
            })
        })
        .transpose()
    }

    /// Number of accounts.
    pub fn user_count(&self) -> Result<u64, StoreError> {
        let n: i64 = self.conn.query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))?;
        Ok(n.max(0) as u64)
    }

    /// Creates a group.
    pub fn insert_group(&self, id: &GroupId, name: &str) -> Result<(), StoreError> {
        self.conn
            .execute("INSERT INTO groups (id, name) VALUES (?1, ?2)", params![id.as_str(), name])?;
        Ok(())
    }

    /// A group's name, if it exists.
    pub fn group_name(&self, id: &GroupId) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT name FROM groups WHERE id = ?1", [id.as_str()], |r| r.get(0))
            .optional()?)
    }

    /// Makes `user` a member of `group`.
    pub fn add_membership(&self, user: &UserId, group: &GroupId) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR IGNORE INTO memberships (user_id, group_id) VALUES (?1, ?2)",
            params![user.as_str(), group.as_str()],
        )?;
        Ok(())
    }

    /// Records that `user` teaches `group`.
    pub fn add_teaching(&self, user: &UserId, group: &GroupId) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR IGNORE INTO teaching (user_id, group_id) VALUES (?1, ?2)",
            params![user.as_str(), group.as_str()],
        )?;
        Ok(())
    }

    /// Records that `user` teaches `subject`.
    pub fn add_subject(&self, user: &UserId, subject: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR IGNORE INTO teacher_subjects (user_id, subject) VALUES (?1, ?2)",
            params![user.as_str(), subject],
        )?;
        Ok(())
    }

    /// The subjects `user` teaches, sorted.
    pub fn subjects(&self, user: &UserId) -> Result<Vec<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT subject FROM teacher_subjects WHERE user_id = ?1 ORDER BY 1")?;
        let rows = stmt.query_map([user.as_str()], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn group_list(&self, sql: &str, user: &UserId) -> Result<Vec<GroupId>, StoreError> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map([user.as_str()], |r| r.get::<_, String>(0))?;
        rows.map(|r| parse(r?, "group id")).collect()
    }

    /// Removes `user` from `group`; true if they were a member.
    pub fn remove_membership(&self, user: &UserId, group: &GroupId) -> Result<bool, StoreError> {
        Ok(self.conn.execute(
            "DELETE FROM memberships WHERE user_id = ?1 AND group_id = ?2",
            params![user.as_str(), group.as_str()],
        )? > 0)
    }

    /// Records that `user` no longer teaches `group`; true if they did.
    pub fn remove_teaching(&self, user: &UserId, group: &GroupId) -> Result<bool, StoreError> {
        Ok(self.conn.execute(
            "DELETE FROM teaching WHERE user_id = ?1 AND group_id = ?2",
            params![user.as_str(), group.as_str()],
        )? > 0)
    }

    /// Makes `guardian` responsible for the student `ward`.
    pub fn add_guardian(&self, guardian: &UserId, ward: &UserId) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR IGNORE INTO guardians (guardian_id, ward_id) VALUES (?1, ?2)",
            params![guardian.as_str(), ward.as_str()],
        )?;
        Ok(())
    }

    /// The guardians of a student.
    pub fn guardians_of(&self, ward: &UserId) -> Result<Vec<UserId>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT guardian_id FROM guardians WHERE ward_id = ?1 ORDER BY 1")?;
        let rows = stmt.query_map([ward.as_str()], |r| r.get::<_, String>(0))?;
        rows.map(|r| parse(r?, "user id")).collect()
    }

    /// Every account id, in order.
    pub fn user_ids(&self) -> Result<Vec<UserId>, StoreError> {
        let mut stmt = self.conn.prepare_cached("SELECT id FROM users ORDER BY id")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        rows.map(|r| parse(r?, "user id")).collect()
    }

    /// Every group with its name, members and teachers (by login, in the order of names), by id.
    pub fn groups_with_members(&self) -> Result<Vec<GroupSummary>, StoreError> {
        let mut stmt = self.conn.prepare_cached("SELECT id, name FROM groups ORDER BY id")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, name) = row?;
            let users = |sql: &str| -> Result<Vec<UserId>, StoreError> {
                let mut stmt = self.conn.prepare_cached(sql)?;
                let rows = stmt.query_map([id.as_str()], |r| r.get::<_, String>(0))?;
                rows.map(|r| parse(r?, "user id")).collect()
            };
            let mut members = users("SELECT user_id FROM memberships WHERE group_id = ?1")?;
            let mut teachers = users("SELECT user_id FROM teaching WHERE group_id = ?1")?;
            for people in [&mut members, &mut teachers] {
                sort_by_name(people, |u| (u.as_str(), u.as_str()));
            }
            out.push(GroupSummary { id: parse(id, "group id")?, name, members, teachers });
        }
        Ok(out)
    }

    /// Ends `guardian`'s responsibility for `ward`; true if it existed.
    pub fn remove_guardian(&self, guardian: &UserId, ward: &UserId) -> Result<bool, StoreError> {
        Ok(self.conn.execute(
            "DELETE FROM guardians WHERE guardian_id = ?1 AND ward_id = ?2",
            params![guardian.as_str(), ward.as_str()],
        )? > 0)
    }

    /// The principal of an account: its role, memberships, wards and subjects. A guardian's
    /// groups are those of their wards. `None` for an unknown account.
    pub fn principal(&self, user: &UserId) -> Result<Option<(Principal, UserRow)>, StoreError> {
        let Some(row) = self.user(user)? else { return Ok(None) };
        let mut wards = Vec::new();
        let groups = if row.role == Role::Guardian {
            let mut stmt = self.conn.prepare_cached(
                "SELECT ward_id FROM guardians WHERE guardian_id = ?1 ORDER BY 1",
            )?;
            let rows = stmt.query_map([user.as_str()], |r| r.get::<_, String>(0))?;
            for r in rows {
                wards.push(parse::<UserId>(r?, "user id")?);
            }
            self.group_list(
                "SELECT DISTINCT m.group_id FROM memberships m
                 JOIN guardians g ON g.ward_id = m.user_id
                 WHERE g.guardian_id = ?1 ORDER BY 1",
                user,
            )?
        } else {
            self.group_list("SELECT group_id FROM memberships WHERE user_id = ?1 ORDER BY 1", user)?
        };
        let teaches =
            self.group_list("SELECT group_id FROM teaching WHERE user_id = ?1 ORDER BY 1", user)?;
        let subjects = self.subjects(user)?;
        let principal =
            Principal { user: row.id.clone(), role: row.role, groups, teaches, wards, subjects };
        Ok(Some((principal, row)))
    }

    /// The students of `group` (its members of role student), with their display names, by
    /// name; `None` if the group does not exist.
    pub fn group_students(
        &self,
        group: &GroupId,
    ) -> Result<Option<Vec<(UserId, String)>>, StoreError> {
        if self.group_name(group)?.is_none() {
            return Ok(None);
        }
        self.people(
            "SELECT u.id, u.display_name FROM memberships m JOIN users u ON u.id = m.user_id
             WHERE m.group_id = ?1 AND u.role = 'student'",
            group.as_str(),
        )
        .map(Some)
    }

    /// Every account of `role`, with display names, by name.
    pub fn accounts_of_role(&self, role: Role) -> Result<Vec<(UserId, String)>, StoreError> {
        self.people("SELECT id, display_name FROM users WHERE role = ?1", role.as_str())
    }

    /// The accounts `sql` selects (id, display name), by name in French order
    /// ([`sort_by_name`]; SQLite would sort `Émile` after `Zoé`).
    fn people(&self, sql: &str, param: &str) -> Result<Vec<(UserId, String)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows =
            stmt.query_map([param], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = rows
            .map(|r| {
                let (id, name) = r?;
                Ok((parse::<UserId>(id, "user id")?, name))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        sort_by_name(&mut out, |(id, name)| (name.as_str(), id.as_str()));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn principal_carries_memberships_and_teaching() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite3")).unwrap();
        let prof: UserId = "prof".parse().unwrap();
        let g: GroupId = "g1".parse().unwrap();
        store
            .write_blocking(|dao| {
                dao.insert_group(&g, "Groupe 1")?;
                dao.insert_user(&NewUser {
                    id: &prof,
                    display_name: "Prof",
                    role: Role::Teacher,
                    password_hash: "!",
                    demo: false,
                    created_ms: 0,
                })?;
                dao.add_teaching(&prof, &g)?;
                dao.add_subject(&prof, "Réseaux")
            })
            .unwrap();
        let (p, row) = store.read_blocking(|dao| dao.principal(&prof)).unwrap().unwrap();
        assert_eq!(p.role, Role::Teacher);
        assert_eq!(p.teaches, vec![g]);
        assert!(p.groups.is_empty());
        assert_eq!(row.display_name, "Prof");
        let subjects = store.read_blocking(|dao| dao.subjects(&prof)).unwrap();
        assert_eq!(subjects, vec!["Réseaux".to_string()]);
        let nobody = store.read_blocking(|dao| dao.principal(&"nobody".parse().unwrap())).unwrap();
        assert!(nobody.is_none());
    }

    #[test]
    fn lists_of_people_are_in_french_name_order() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite3")).unwrap();
        let g: GroupId = "g1".parse().unwrap();
        // Byte order (SQLite's) would give Léa, Zoé, enzo, Émile, Œdipe.
        let people = [
            ("zoe", "Zoé André"),
            ("oedipe", "Œdipe Roi"),
            ("lea", "Léa Martin"),
            ("emile", "Émile Roux"),
            ("enzo", "enzo Faure"),
            ("elodie", "Elodie Petit"),
        ];
        store
            .write_blocking(|dao| {
                dao.insert_group(&g, "Groupe 1")?;
                for (login, name) in people {
                    let id: UserId = login.parse().unwrap();
                    dao.insert_user(&NewUser {
                        id: &id,
                        display_name: name,
                        role: Role::Student,
                        password_hash: "!",
                        demo: false,
                        created_ms: 0,
                    })?;
                    dao.add_membership(&id, &g)?;
                }
                Ok::<_, StoreError>(())
            })
            .unwrap();
        let expected = ["elodie", "emile", "enzo", "lea", "oedipe", "zoe"];
        let ids = |list: Vec<(UserId, String)>| {
            list.into_iter().map(|(id, _)| id.to_string()).collect::<Vec<_>>()
        };
        let students = store.read_blocking(|dao| dao.group_students(&g)).unwrap().unwrap();
        assert_eq!(ids(students), expected);
        let all = store.read_blocking(|dao| dao.accounts_of_role(Role::Student)).unwrap();
        assert_eq!(ids(all), expected);
    }
}
