//! Administration of accounts and groups: the operator's first administrator, accounts with
//! their role, groups, and guardians. Memberships of groups are changed by
//! [`super::groups::set_membership`], which also tells live connections.

use std::path::Path;

use cartable_shared::admin::{
    AccountList, AccountSummary, AdminField, AdminProblem, CreatedAccount, GroupList, GroupSummary,
    LineProblem, MIN_PASSWORD_LEN, NewAccount, NewGroup,
};
use cartable_shared::ids::{GroupId, UserId};
use cartable_shared::roles::{Principal, Role};
use cartable_shared::text::sort_by_name;
use rand::Rng;

use super::hub::Hub;
use super::password::{self, HashError};
use super::presence::Control;
use crate::store::{Dao, NewUser, Store, StoreError};

/// Longest display name or group name accepted.
pub const MAX_NAME_LEN: usize = 120;

/// Why an administration request failed.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// Only administrators administer.
    #[error("only administrators may do this")]
    Forbidden,
    /// No such account or group.
    #[error("{0}")]
    NotFound(String),
    /// The login or group id is taken.
    #[error("{0}")]
    Conflict(String),
    /// The request is invalid; the message says why.
    #[error("{0}")]
    Invalid(String),
    /// The request is refused for a reason the administration page words in the user's
    /// language (`problem`); `message` says it in English.
    #[error("{message}")]
    Refused {
        /// Why, as data.
        problem: AdminProblem,
        /// Why, in English.
        message: String,
    },
    /// Hashing a password failed.
    #[error(transparent)]
    Hash(#[from] HashError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<super::hub::HubError> for AdminError {
    fn from(e: super::hub::HubError) -> Self {
        match e {
            super::hub::HubError::Store(e) => AdminError::Store(e),
            e => AdminError::Store(StoreError::Task(e.to_string())),
        }
    }
}

impl AdminError {
    /// A refusal the page words from `problem`.
    pub fn refused(problem: AdminProblem, message: impl Into<String>) -> Self {
        AdminError::Refused { problem, message: message.into() }
    }

    /// A refused value of `field`.
    pub fn field(field: AdminField, problem: LineProblem, message: impl Into<String>) -> Self {
        Self::refused(AdminProblem::Field { field, problem }, message)
    }

    /// Whether the refusal is a conflict with what exists (`409`) rather than a bad value.
    pub fn is_conflict(&self) -> bool {
        match self {
            AdminError::Conflict(_) => true,
            AdminError::Refused { problem, .. } => matches!(
                problem,
                AdminProblem::GroupExists { .. }
                    | AdminProblem::YearClosed { .. }
                    | AdminProblem::TakenMeanwhile { .. }
                    | AdminProblem::Field { problem: LineProblem::Taken { .. }, .. }
            ),
            _ => false,
        }
    }
}

/// What [`parse_name`] refused in `raw`.
pub(crate) fn name_problem(raw: &str) -> LineProblem {
    let name = raw.trim();
    if name.is_empty() {
        LineProblem::Missing
    } else if name.chars().count() > MAX_NAME_LEN {
        LineProblem::TooLong { max: MAX_NAME_LEN as u32 }
    } else {
        LineProblem::Invalid { value: name.to_owned() }
    }
}

/// `parse_name(raw)`, refused as a value of `field`.
pub(crate) fn form_name(field: AdminField, raw: &str) -> Result<String, AdminError> {
    parse_name(raw).map_err(|e| AdminError::field(field, name_problem(raw), e))
}

/// `parse_login(raw)`, refused as a value of `field`.
pub(crate) fn form_login(field: AdminField, raw: &str) -> Result<UserId, AdminError> {
    parse_login(raw).map_err(|e| {
        AdminError::field(field, LineProblem::Invalid { value: raw.trim().to_owned() }, e)
    })
}

/// Refuses anyone but an administrator.
pub fn require_admin(principal: &Principal) -> Result<(), AdminError> {
    if principal.role == Role::Admin { Ok(()) } else { Err(AdminError::Forbidden) }
}

/// A login as typed (trimmed, lower-case), checked; the login deleted accounts leave behind is
/// refused.
pub fn parse_login(login: &str) -> Result<UserId, String> {
    let login = login.trim().to_lowercase();
    // What a deleted account's login becomes in what others keep (threads, files it uploaded):
    // an account with that login would be taken for it.
    if login == cartable_shared::admin::DELETED_AUTHOR {
        return Err(format!("invalid login {login:?}: it is reserved"));
    }
    login.parse().map_err(|e| format!("invalid login {login:?}: {e}"))
}

/// A group id, checked.
pub fn parse_group(id: &str) -> Result<GroupId, String> {
    let id = id.trim();
    id.parse().map_err(|e| format!("invalid group id {id:?}: {e}"))
}

/// A display or group name, trimmed and checked.
pub fn parse_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("the name is empty".into());
    }
    if name.chars().count() > MAX_NAME_LEN {
        return Err(format!("the name is longer than {MAX_NAME_LEN} characters"));
    }
    if name.chars().any(char::is_control) {
        return Err("the name contains control characters".into());
    }
    Ok(name.to_owned())
}

/// A role name, checked.
pub fn parse_role(role: &str) -> Result<Role, String> {
    role.trim().to_lowercase().parse().map_err(|_| {
        format!("unknown role {:?} (expected student, guardian, teacher, staff or admin)", role)
    })
}

/// A password chosen by an administrator or the operator, checked.
pub fn check_password(password: &str) -> Result<(), String> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(format!("the password must have at least {MIN_PASSWORD_LEN} characters"));
    }
    Ok(())
}

/// A random initial password: 16 characters without look-alikes (about 90 bits).
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    (0..16).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect()
}

/// Hashes passwords on the blocking pool.
pub async fn hash_all(passwords: Vec<String>) -> Result<Vec<String>, AdminError> {
    tokio::task::spawn_blocking(move || {
        passwords.iter().map(|p| password::hash_password(p)).collect::<Result<Vec<_>, _>>()
    })
    .await
    .map_err(|e| StoreError::Task(e.to_string()))?
    .map_err(AdminError::from)
}

/// The summary of an account, read in `dao`.
pub fn summary(dao: &Dao<'_>, user: &UserId) -> Result<Option<AccountSummary>, StoreError> {
    Ok(dao.principal(user)?.map(|(p, row)| AccountSummary {
        login: p.user,
        display_name: row.display_name,
        role: p.role,
        groups: if p.role == Role::Guardian { Vec::new() } else { p.groups },
        teaches: p.teaches,
        wards: p.wards,
        subjects: p.subjects,
        expires_at_ms: row.expires_at_ms,
        expired: false,
    }))
}

/// A new account, checked; its password (given or generated) and whether it was generated.
struct CheckedAccount {
    id: UserId,
    display_name: String,
    role: Role,
    subjects: Vec<String>,
    password: String,
    generated: bool,
    expires_at_ms: Option<i64>,
}

fn check_account(req: NewAccount) -> Result<CheckedAccount, AdminError> {
    let id = form_login(AdminField::Login, &req.login)?;
    let display_name = form_name(AdminField::DisplayName, &req.display_name)?;
    let subjects = req
        .subjects
        .iter()
        .map(|s| {
            parse_name(s).map_err(|e| {
                AdminError::field(AdminField::Subjects, name_problem(s), format!("subject: {e}"))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if !subjects.is_empty() && req.role != Role::Teacher {
        return Err(AdminError::field(
            AdminField::Subjects,
            LineProblem::WrongRole,
            "only a teacher has subjects",
        ));
    }
    let (password, generated) = match req.password {
        Some(p) => {
            check_password(&p).map_err(|e| {
                AdminError::refused(
                    AdminProblem::PasswordTooShort { min: MIN_PASSWORD_LEN as u32 },
                    e,
                )
            })?;
            (p, false)
        }
        None => (generate_password(), true),
    };
    let expires_at_ms = req.expires_at_ms;
    Ok(CheckedAccount {
        id,
        display_name,
        role: req.role,
        subjects,
        password,
        generated,
        expires_at_ms,
    })
}

async fn insert_account(
    store: &Store,
    now_ms: i64,
    account: CheckedAccount,
) -> Result<CreatedAccount, AdminError> {
    let hash = hash_all(vec![account.password.clone()]).await?.remove(0);
    let id = account.id.clone();
    let (role, name, subjects) = (account.role, account.display_name.clone(), account.subjects);
    let expires_at_ms = account.expires_at_ms;
    let created = store
        .write(move |dao| {
            if dao.user(&id)?.is_some() {
                return Err(AdminError::field(
                    AdminField::Login,
                    LineProblem::Taken { value: id.to_string() },
                    format!("the login {id} is taken"),
                ));
            }
            dao.insert_user(&NewUser {
                id: &id,
                display_name: &name,
                role,
                password_hash: &hash,
                demo: false,
                created_ms: now_ms,
            })?;
            for s in &subjects {
                dao.add_subject(&id, s)?;
            }
            dao.set_user_expiry(&id, expires_at_ms)?;
            summary(dao, &id)?.ok_or_else(|| AdminError::NotFound(format!("no account {id}")))
        })
        .await?;
    super::sync::ensure_me_documents(store, now_ms).await?;
    tracing::info!(user = %created.login, role = created.role.as_str(), "account created");
    Ok(CreatedAccount {
        account: created,
        initial_password: account.generated.then_some(account.password),
    })
}

/// Creates an account on behalf of `admin`.
pub async fn create_account(
    store: &Store,
    now_ms: i64,
    admin: &Principal,
    req: NewAccount,
) -> Result<CreatedAccount, AdminError> {
    require_admin(admin)?;
    if req.expires_at_ms.is_some_and(|t| t <= now_ms) {
        return Err(AdminError::refused(
            AdminProblem::ExpiryInThePast,
            "the account would expire in the past",
        ));
    }
    if req.expires_at_ms.is_some() && req.role == Role::Admin {
        return Err(AdminError::refused(
            AdminProblem::AdminGuest,
            "an administrator cannot be a guest account",
        ));
    }
    insert_account(store, now_ms, check_account(req)?).await
}

/// Every account, by name (French order, then login); guest accounts whose time has come are
/// marked `expired`.
pub async fn list_accounts(
    store: &Store,
    now_ms: i64,
    admin: &Principal,
) -> Result<AccountList, AdminError> {
    require_admin(admin)?;
    let accounts = store
        .read(move |dao| {
            let mut out = Vec::new();
            for id in dao.user_ids()? {
                out.extend(summary(dao, &id)?.map(|mut a| {
                    a.expired = a.expires_at_ms.is_some_and(|t| t <= now_ms);
                    a
                }));
            }
            sort_by_name(&mut out, |a: &AccountSummary| (&a.display_name, a.login.as_str()));
            Ok::<_, StoreError>(out)
        })
        .await?;
    Ok(AccountList { accounts })
}

/// Every group with its members and teachers.
pub async fn list_groups(store: &Store, admin: &Principal) -> Result<GroupList, AdminError> {
    require_admin(admin)?;
    Ok(GroupList { groups: store.read(|dao| dao.groups_with_members()).await? })
}

/// Creates a group on behalf of `admin`.
pub async fn create_group(
    store: &Store,
    admin: &Principal,
    req: NewGroup,
) -> Result<GroupSummary, AdminError> {
    require_admin(admin)?;
    let id = parse_group(&req.id).map_err(|e| {
        AdminError::field(
            AdminField::Group,
            LineProblem::Invalid { value: req.id.trim().into() },
            e,
        )
    })?;
    let name = form_name(AdminField::Name, &req.name)?;
    let (g, n) = (id.clone(), name.clone());
    store
        .write(move |dao| {
            if dao.group_name(&g)?.is_some() {
                return Err(AdminError::refused(
                    AdminProblem::GroupExists { value: g.to_string() },
                    format!("the group {g} exists"),
                ));
            }
            dao.insert_group(&g, &n)?;
            Ok(())
        })
        .await?;
    tracing::info!(by = %admin.user, group = %id, "group created");
    Ok(GroupSummary { id, name, members: Vec::new(), teachers: Vec::new() })
}

/// Makes `guardian` responsible for the student `ward` (`on`) or ends it; returns whether
/// anything changed. The guardian's live connections are told.
pub async fn set_guardian(
    store: &Store,
    hub: &Hub,
    admin: &Principal,
    ward: &UserId,
    guardian: &UserId,
    on: bool,
) -> Result<bool, AdminError> {
    require_admin(admin)?;
    let (w, g) = (ward.clone(), guardian.clone());
    let changed = store
        .write(move |dao| {
            let role = |u: &UserId| dao.user(u).map(|r| r.map(|r| r.role));
            match role(&w)? {
                Some(Role::Student) => {}
                Some(_) => {
                    return Err(AdminError::field(
                        AdminField::Ward,
                        LineProblem::NotAStudent { value: w.to_string() },
                        format!("{w} is not a student"),
                    ));
                }
                None => return Err(AdminError::NotFound(format!("no account {w}"))),
            }
            match role(&g)? {
                Some(Role::Guardian) => {}
                Some(_) => {
                    return Err(AdminError::refused(
                        AdminProblem::NotAGuardian { value: g.to_string() },
                        format!("{g} is not a guardian"),
                    ));
                }
                None => return Err(AdminError::NotFound(format!("no account {g}"))),
            }
            if on {
                let was = dao.guardians_of(&w)?.contains(&g);
                dao.add_guardian(&g, &w)?;
                Ok(!was)
            } else {
                Ok(dao.remove_guardian(&g, &w)?)
            }
        })
        .await?;
    if changed {
        tracing::info!(by = %admin.user, ward = %ward, guardian = %guardian, on, "guardian changed");
        hub.presence().notify(guardian, Control::Reevaluate);
    }
    Ok(changed)
}

/// The operator's way in: creates an administrator in the database of `data_dir` (creating
/// the database if needed). `cartable-server admin create` calls it; the server may be running.
pub async fn bootstrap_admin(
    data_dir: &Path,
    now_ms: i64,
    login: &str,
    display_name: &str,
    password: &str,
) -> Result<AccountSummary, AdminError> {
    let account = check_account(NewAccount {
        login: login.to_owned(),
        display_name: display_name.to_owned(),
        role: Role::Admin,
        password: Some(password.to_owned()),
        subjects: Vec::new(),
        expires_at_ms: None,
    })?;
    std::fs::create_dir_all(data_dir)
        .map_err(|e| AdminError::Invalid(format!("cannot create {}: {e}", data_dir.display())))?;
    let path = data_dir.join(crate::DATABASE_FILE);
    let store = tokio::task::spawn_blocking(move || Store::open(&path))
        .await
        .map_err(|e| StoreError::Task(e.to_string()))??;
    Ok(insert_account(&store, now_ms, account).await?.account)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_passwords_are_long_random_and_unambiguous() {
        let a = generate_password();
        assert_eq!(a.chars().count(), 16);
        assert_ne!(a, generate_password());
        assert!(!a.contains(['0', 'O', 'l', '1', 'I']), "{a}");
        assert!(check_password(&a).is_ok());
    }

    #[test]
    fn logins_roles_and_names_are_checked() {
        assert_eq!(parse_login(" Marie.Curie ").unwrap().as_str(), "marie.curie");
        assert!(parse_login("marie curie").unwrap_err().contains("invalid login"));
        assert!(parse_login(" Deleted-Account").unwrap_err().contains("reserved"));
        assert_eq!(parse_role("Teacher").unwrap(), Role::Teacher);
        assert!(parse_role("prof").unwrap_err().contains("unknown role"));
        assert!(parse_name("  ").is_err());
        assert!(parse_name(&"x".repeat(MAX_NAME_LEN + 1)).is_err());
        assert!(check_password("short").is_err());
    }
}
