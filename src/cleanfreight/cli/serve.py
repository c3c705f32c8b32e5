"""`cleanfreight serve` (the bureau's platform) and `cleanfreight users` (its accounts)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from cleanfreight.cli._common import JsonOption, LangOption, handle_errors, out, print_json

_DB_HELP = ("The ledger the platform serves: a DuckDB file (created if missing) or a PostgreSQL address "
            "postgresql://user@host/db (several platform processes may share it).")
DbOption = Annotated[str, typer.Option("--db", help=_DB_HELP)]


def register(app: typer.Typer) -> None:
    @app.command("serve")
    @handle_errors
    def serve_cmd(
        db: Annotated[str | None, typer.Option("--db", help=_DB_HELP)] = None,
        host: Annotated[str, typer.Option("--host", help="Address to listen on (loopback by default).")] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
        rules: Annotated[str, typer.Option("--rules", help="Rulebook preset or TOML file for reports.")] = "changzhi-2024",
        roster: Annotated[
            str | None, typer.Option("--roster", help="Roster folder for enterprise names, or 'sample'.")
        ] = "sample",
        plan: Annotated[
            Path | None, typer.Option("--plan", help="plan.json (or CSV enterprise_id, ratio_after) to compare against.")
        ] = None,
        heartbeat_offline: Annotated[
            int, typer.Option("--offline-after", help="Seconds without heartbeat before a gate shows offline.")
        ] = 1800,
        lang: Annotated[str, typer.Option("--lang", help="Default language of the pages: zh or en.")] = "zh",
        config: Annotated[
            Path | None,
            typer.Option("--config", help="TOML file with a [server] table of settings; options given here (other than their defaults) win."),
        ] = None,
        demo: Annotated[
            bool,
            typer.Option("--demo", help="Serve the seeded sample (imported once into --db, default "
                         "maps/demo/platform.duckdb) with demo accounts, printed with new passwords."),
        ] = False,
    ) -> None:
        """Run the bureau's platform: gate feed API (/api/v1), uploads and the dashboard in the browser."""
        from cleanfreight.errors import InputError
        from cleanfreight.server import ServerParams, load_settings, serve
        from cleanfreight.server.settings import shown_db

        if config is not None:
            # options left at their defaults do not override the file
            defaults = {"host": "127.0.0.1", "port": 8000, "rules": "changzhi-2024", "roster": "sample",
                        "heartbeat_offline_s": 1800, "lang": "zh"}
            given = {name: value for name, value in (
                ("db", db), ("host", host), ("port", port), ("rules", rules), ("roster", roster), ("plan", plan),
                ("heartbeat_offline_s", heartbeat_offline), ("lang", lang),
            ) if name in ("db", "plan") or value != defaults[name]}
            settings = load_settings(config, **given)
        else:
            if db is None:
                if not demo:
                    raise InputError("give --db FILE (the ledger the platform serves), --config FILE, or --demo")
                db = "maps/demo/platform.duckdb"
            settings = ServerParams(db=db, host=host, port=port, rules=rules, roster=roster, plan=plan,
                                      heartbeat_offline_s=heartbeat_offline, lang=lang)
        if demo:
            from cleanfreight.server.tools import DEMO_ACCOUNTS, prepare_demo

            out.print(f"preparing the demo in {shown_db(settings.db)} (the sample is imported the first time: about a minute) ...")
            passwords = prepare_demo(settings.db)
            out.print(f"cleanfreight platform demo: http://{settings.host}:{settings.port}/  (ledger {shown_db(settings.db)})")
            for name, pw in passwords.items():
                role, ent = DEMO_ACCOUNTS[name]
                out.print(f"  {name:<10} {pw:<14} {role}{' ' + ent if ent else ''}", highlight=False)
        serve(settings)

    users = typer.Typer(help="Accounts of the platform (bureau, enterprise, device).", no_args_is_help=True)
    app.add_typer(users, name="users")

    @users.command("add")
    @handle_errors
    def add_cmd(
        name: Annotated[str, typer.Argument(help="User name (letters, digits, _ . @ -).")],
        db: DbOption,
        role: Annotated[str, typer.Option("--role", help="bureau, enterprise or device.")],
        enterprise: Annotated[
            str | None, typer.Option("--enterprise", help="Enterprise id (enterprise and device accounts).")
        ] = None,
        password_stdin: Annotated[
            bool, typer.Option("--password-stdin", help="Read the password from the first line of stdin.")
        ] = False,
        wait: Annotated[
            float,
            typer.Option("--wait", help="Seconds to wait while another program (a running `serve`) holds a "
                         "DuckDB ledger; while it runs, add accounts on its /accounts page instead."),
        ] = 0.0,
        as_json: JsonOption = False,
        lang: LangOption = "en",
    ) -> None:
        """Create an account, or reset an existing account's password, role and enterprise."""
        from cleanfreight._i18n import check_lang
        from cleanfreight.errors import InputError
        from cleanfreight.server import add_user

        check_lang(lang)
        if not password_stdin:
            raise InputError("give the password on stdin with --password-stdin (never on the command line)")
        password = sys.stdin.readline().rstrip("\r\n")
        user = add_user(db, name, password, role, enterprise, wait=wait)
        if as_json:
            print_json({"name": user.name, "role": user.role, "enterprise_id": user.enterprise_id})
            return
        who = f"{user.name} ({user.role}{' ' + user.enterprise_id if user.enterprise_id else ''})"
        out.print(f"账户 {who} 已保存" if lang == "zh" else f"account {who} saved")
