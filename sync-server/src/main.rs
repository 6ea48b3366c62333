//! `cartable-server`: parses flags, binds, prints `listening on http://ADDR`, serves until
//! Ctrl-C or SIGTERM.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use cartable_sync_server::{AppState, Config, demo, run};
use clap::Parser;

/// Cartable's sync server: HTTP API, /sync WebSocket, SQLite store, the app's static files.
#[derive(Debug, Parser)]
#[command(name = "cartable-server", version)]
struct Args {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "CARTABLE_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Directory of the database.
    #[arg(long, env = "CARTABLE_DATA_DIR", default_value = "./data", global = true)]
    data_dir: PathBuf,
    /// Directory of the built app.
    #[arg(long, env = "CARTABLE_DIST", default_value = "./dist")]
    dist: PathBuf,
    /// Fill an empty database with the demo institution and accept the demo accounts.
    #[arg(long, env = "CARTABLE_DEMO", value_parser = clap::builder::BoolishValueParser::new())]
    demo: bool,
    /// The URL users reach the server at (e.g. https://ent.example.fr behind a proxy).
    #[arg(long, env = "CARTABLE_PUBLIC_URL")]
    public_url: Option<String>,
    /// Also accept push subscriptions whose endpoint has this exact origin
    /// (e.g. http://127.0.0.1:43123 for a test push service). Repeatable.
    #[arg(long = "push-allow", value_name = "ORIGIN")]
    push_allow: Vec<String>,
    /// Largest file upload accepted, in MiB.
    #[arg(long, env = "CARTABLE_MAX_UPLOAD_MIB", default_value_t = 20)]
    max_upload_mib: u64,
    /// Also fetch calendar feeds from this exact origin even though it is a private or
    /// loopback address (e.g. http://127.0.0.1:43124 for a test feed). Repeatable.
    #[arg(long = "feed-allow", value_name = "ORIGIN")]
    feed_allow: Vec<String>,
    /// Minutes between two fetches of each calendar feed (0: only when an administrator asks).
    #[arg(long, env = "CARTABLE_FEED_REFRESH_MINUTES", default_value_t = 60)]
    feed_refresh_minutes: u64,
    /// Instead of serving, run an operator command.
    #[command(subcommand)]
    command: Option<Command>,
}

/// Operator commands.
#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Manage administrator accounts.
    #[command(subcommand)]
    Admin(AdminCommand),
}

/// `cartable-server admin …`.
#[derive(Debug, clap::Subcommand)]
enum AdminCommand {
    /// Create an administrator (e.g. the first one) in the database of --data-dir; the
    /// password is read from the first line of standard input.
    Create {
        /// The login.
        #[arg(long)]
        login: String,
        /// The name to show (the login if absent).
        #[arg(long)]
        display_name: Option<String>,
    },
}

/// `admin create`: reads the password from stdin and creates the account.
async fn admin_create(
    data_dir: &std::path::Path,
    login: &str,
    display_name: Option<&str>,
) -> anyhow::Result<()> {
    let mut password = String::new();
    std::io::stdin().read_line(&mut password).context("cannot read the password from stdin")?;
    let password = password.trim_end_matches(['\n', '\r']);
    let now = chrono::Utc::now().timestamp_millis();
    let account = cartable_sync_server::services::admin::bootstrap_admin(
        data_dir,
        now,
        login,
        display_name.unwrap_or(login),
        password,
    )
    .await
    .context("cannot create the administrator")?;
    println!("administrator {} created", account.login);
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
    tracing::info!("shutdown requested");
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    if let Some(Command::Admin(AdminCommand::Create { login, display_name })) = &args.command {
        return admin_create(&args.data_dir, login, display_name.as_deref()).await;
    }
    let config = Config {
        listen: args.listen,
        data_dir: args.data_dir,
        dist_dir: args.dist,
        demo: args.demo,
        public_url: args.public_url,
        push_allow: args.push_allow,
        max_upload_bytes: args.max_upload_mib.saturating_mul(1024 * 1024),
        feed_allow: args.feed_allow,
        feed_refresh: std::time::Duration::from_secs(args.feed_refresh_minutes.saturating_mul(60)),
    };
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let addr = listener.local_addr().context("no local address")?;
    let state = AppState::open(Config { listen: addr, ..config }).await?;

    let mut out = std::io::stdout().lock();
    if state.config().demo {
        writeln!(out, "demo accounts (login / password / role):")?;
        for a in demo::ACCOUNTS {
            writeln!(out, "  {:<12} {:<16} {}", a.login, a.password, a.role.as_str())?;
        }
    }
    writeln!(out, "listening on http://{addr}")?;
    out.flush()?;
    drop(out);
    tracing::info!(%addr, "listening");

    run(listener, state, shutdown_signal()).await.context("server failed")?;
    Ok(())
}
