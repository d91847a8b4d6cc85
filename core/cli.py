"""The ``gongzhi`` command: serve, migrate, demo, and the platform's tenant commands."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable
from typing import TypeVar

import click

from core.config import Settings

T = TypeVar("T")


def _run(coroutine: Awaitable[T]) -> T:
    async def with_database() -> T:
        from core import db

        db.configure(Settings.from_env().database_url)
        await db.start()
        try:
            return await coroutine
        finally:
            from core.jobs import queue

            # Jobs queued here (events of the demo data…) are in Redis or, embedded, left to the
            # server's first sweep.
            await queue.current().close()
            await db.stop()

    return asyncio.run(with_database())


def _fail(message: str) -> None:
    click.echo(click.style(message, fg="red"), err=True)
    sys.exit(1)


def _language_from_environment() -> str:
    """The CLI speaks the operator's language, from LC_ALL / LC_MESSAGES / LANG."""
    import os

    from core import i18n

    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value and value.split(".")[0] not in ("C", "POSIX"):
            return i18n.negotiate(value.split(".")[0].replace("_", "-"))
    return i18n.DEFAULT_LANGUAGE


@click.group()
def main() -> None:
    """Gongzhi (共治): community governance for districts."""
    from core import i18n

    i18n.set_language(_language_from_environment())


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1))
def serve(host: str, port: int, workers: int) -> None:
    """Serve the web app (platform, districts, API)."""
    import uvicorn

    from core import migrate

    settings = Settings.from_env()
    if settings.is_sqlite and workers > 1:
        _fail(
            "SQLite takes one process: --workers above 1 needs PostgreSQL "
            "(set GONGZHI_DATABASE_URL=postgresql://…)."
        )
    if workers > 1 and settings.jobs_in_process:
        _fail(
            "Several processes need GONGZHI_REDIS_URL: without Redis, jobs run inside the one "
            "web process, and the schedule must run in one place."
        )
    try:
        todo = _run(migrate.pending())
    except Exception as error:
        _fail(f"Cannot read the database at {settings.database_url}: {error}")
    if todo:
        _fail(f"The database has {len(todo)} migration(s) not applied. Run `gongzhi migrate` first.")
    click.echo(f"Gongzhi is serving on http://{host}:{port}/")
    uvicorn.run("core.app:create_app", factory=True, host=host, port=port, workers=workers,
                proxy_headers=False, log_level="info")


@main.command()
@click.option("--queue", "queues", type=click.Choice(["short", "long", "all"]), default="all", show_default=True,
              help="Which queue this process serves (run short and long in separate processes to scale them apart)")
def worker(queues: str) -> None:
    """Run jobs from Redis (arq): GONGZHI_REDIS_URL must be set."""
    import logging

    from core.jobs import arq_runner, registry

    settings = Settings.from_env()
    if not settings.redis_url:
        _fail("`gongzhi worker` needs GONGZHI_REDIS_URL. Without Redis, `gongzhi serve` runs the jobs itself.")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    chosen = registry.QUEUES if queues == "all" else (queues,)
    click.echo(f"Gongzhi worker: queues {', '.join(chosen)} on {_describe(settings.redis_url)}")
    asyncio.run(arq_runner.run_workers(settings, chosen))


@main.command(name="migrate")
def migrate_command() -> None:
    """Apply every pending migration (as the owner role where one is configured)."""
    from core import migrate

    settings = Settings.from_env()
    click.echo(f"Migrating {_describe(settings.migration_url)}")

    async def apply() -> int:
        from core import db

        db.configure(settings.migration_url)
        applied = await migrate.apply(click.echo)
        if not settings.is_sqlite:
            from core import rls

            await rls.apply(settings.database_url, settings.migration_url, click.echo)
        return applied

    asyncio.run(apply())


def _describe(url: str) -> str:
    """A database URL without its password, for messages."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        user = credentials.split(":", 1)[0]
        return f"{scheme}://{user}@{host}"
    return url


@main.command()
def demo() -> None:
    """Load the demo data (idempotent): districts of 咸阳市 with streets, communities and people."""
    from core.demo import load_demo

    _run(load_demo(click.echo))


@main.group()
def tenant() -> None:
    """Create, list and change the status of districts."""


@tenant.command(name="create")
@click.option("--slug", required=True, help="Web address segment, e.g. qindu")
@click.option("--name", required=True, help="District name, e.g. 秦都区")
@click.option("--division-code", required=True, help="Six-digit administrative division code")
@click.option("--city", default="", help="City, when the code does not tell it")
@click.option("--active", is_flag=True, help="Create it active rather than pending")
def tenant_create(slug: str, name: str, division_code: str, city: str, active: bool) -> None:
    """Create a district (pending until approved, unless --active)."""
    from core.errors import GongzhiError, ValidationFailed
    from tenants import services
    from tenants.tables import TenantStatus

    async def create() -> None:
        draft = services.clean_tenant(
            {"slug": slug, "name": name, "division_code": division_code, "city": city}
        )
        created = await services.create_tenant(
            draft, status=TenantStatus.active if active else TenantStatus.pending
        )
        click.echo(f"Created {created.display_name} ({created.slug}), {created.status}.")

    try:
        _run(create())
    except ValidationFailed as error:
        _fail("\n".join(f"{field}: {message}" for field, message in error.errors.items()))
    except GongzhiError as error:
        _fail(str(error.detail))


@tenant.command(name="list")
@click.option("--status", type=click.Choice(["pending", "active", "rejected", "suspended"]))
def tenant_list(status: str | None) -> None:
    """List districts."""
    from tenants import services
    from tenants.tables import TenantStatus

    tenants = _run(services.list_tenants(TenantStatus(status) if status else None))
    if not tenants:
        click.echo("No districts.")
    for row in tenants:
        reason = f"  ({row.status_reason})" if row.status_reason else ""
        click.echo(f"{row.slug:<20} {row.division_code}  {row.status:<10} {row.display_name}{reason}")


def _status_command(action: str, needs_reason: bool) -> None:
    @click.argument("slug")
    def command(slug: str, reason: str = "") -> None:
        from core.errors import GongzhiError
        from tenants import services

        try:
            changed = _run(services.change_status(slug, action, reason))
        except GongzhiError as error:
            _fail(str(error.detail))
        click.echo(f"{changed.display_name} ({changed.slug}) is now {changed.status}.")

    command.__doc__ = {
        "approve": "Approve a pending district.",
        "reject": "Reject a pending district, with a reason its applicant sees.",
        "suspend": "Suspend an active district (nothing is deleted).",
        "resume": "Resume a suspended district.",
    }[action]
    if needs_reason:
        command = click.option("--reason", required=True, help="Shown to the district's people")(command)
    tenant.command(name=action)(command)


for _action, _needs_reason in (("approve", False), ("reject", True), ("suspend", True), ("resume", False)):
    _status_command(_action, _needs_reason)


def _run_as_owner(coroutine: Awaitable[T]) -> T:
    """Run against the database as the owner role where one is configured (as migrations do)."""
    async def with_database() -> T:
        from core import db

        db.configure(Settings.from_env().migration_url)
        await db.start()
        try:
            return await coroutine
        finally:
            await db.stop()

    return asyncio.run(with_database())


def _passphrase(path: str | None, confirm: bool) -> str:
    if path:
        with open(path, encoding="utf-8") as handle:
            return handle.readline().rstrip("\r\n")
    return click.prompt("Passphrase", hide_input=True, confirmation_prompt=confirm, err=True)


@tenant.command(name="export")
@click.argument("slug")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="The archive file to write")
@click.option("--passphrase-file", type=click.Path(exists=True, dir_okay=False),
              help="A file whose first line is the passphrase (otherwise it is asked for)")
def tenant_export(slug: str, out: str, passphrase_file: str | None) -> None:
    """Write everything a district owns to one archive, encrypted with a passphrase (docs/operations.md)."""
    from pathlib import Path

    from core.errors import GongzhiError
    from tenants import archive

    try:
        passphrase = archive.check_passphrase(_passphrase(passphrase_file, confirm=True))
        done = _run_as_owner(archive.export_district(Settings.from_env(), slug, Path(out), passphrase))
    except GongzhiError as error:
        _fail(str(error.detail))
    click.echo(f"Exported {done.display_name} ({done.slug}) to {out}: {done.rows:,} rows of {done.tables} tables, "
               f"{done.persons:,} people, {done.files:,} files.")


@tenant.command(name="import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--passphrase-file", type=click.Path(exists=True, dir_okay=False),
              help="A file whose first line is the passphrase (otherwise it is asked for)")
def tenant_import(file: str, passphrase_file: str | None) -> None:
    """Recreate a district from its archive on this instance (migrated, without that district)."""
    from pathlib import Path

    from core.errors import GongzhiError
    from tenants import archive

    try:
        passphrase = _passphrase(passphrase_file, confirm=False)
        done = _run_as_owner(archive.import_district(Settings.from_env(), Path(file), passphrase))
    except GongzhiError as error:
        _fail(str(error.detail))
    click.echo(f"Imported {done.display_name} ({done.slug}): {done.rows:,} rows of {done.tables} tables, "
               f"{done.persons:,} people (and {done.persons_kept:,} already here), {done.files:,} files.")


@main.group()
def bench() -> None:
    """The benchmark at province scale (bench/README.md): PostgreSQL only."""


@bench.command(name="seed")
@click.option("--tenants", default=1000, show_default=True, type=click.IntRange(min=1))
@click.option("--residents-per-tenant", default=1000, show_default=True, type=click.IntRange(min=0))
@click.option("--feedback", default=1_000_000, show_default=True, type=click.IntRange(min=0))
@click.option("--notices", default=100_000, show_default=True, type=click.IntRange(min=0))
@click.option("--skew", default=0.8, show_default=True, type=click.FloatRange(min=0),
              help="District i weighs 1 / (i + 1) ** skew; 0 makes every district the same size")
def bench_seed(tenants: int, residents_per_tenant: int, feedback: int, notices: int, skew: float) -> None:
    """Build a skewed, province-sized data set into a migrated, empty PostgreSQL database."""
    settings = Settings.from_env()
    if settings.is_sqlite:
        _fail("The benchmark runs on PostgreSQL: set GONGZHI_DATABASE_URL (and GONGZHI_DATABASE_OWNER_URL).")
    from bench.seed import Sizes, seed

    made = _run(seed(settings.database_owner_url or settings.database_url,
                     Sizes(tenants, residents_per_tenant, feedback, notices, skew),
                     say=lambda text: click.echo(text, nl=False)))
    click.echo(f"Seeded {made['tenants']:,} districts, {made['residents']:,} residents, {made['feedback']:,} feedback "
               f"items and {made['notices']:,} notices in {made['seconds']} s. The largest district is /t/"
               f"{made['largest']}/; its first resident signs in as {made['resident_phone']} / {made['password']}.")


@bench.command(name="sweep")
@click.option("--overdue", default=None, type=click.IntRange(min=0),
              help="Open items to put past their deadline (the rest a day ahead)  [default: all of them]")
@click.option("--concurrency", default=1, show_default=True, type=click.IntRange(min=1),
              help="Districts swept at once (1: in turn, as one worker)")
@click.option("--batch", default=None, type=click.IntRange(min=1),
              help="Items per transaction  [default: the job's own]")
@click.option("--start", default="community", show_default=True, type=click.Choice(["community", "street", "kept"]),
              help="The level the open items start from (street: its staff, the district admins, are told "
                   "too); kept: where earlier runs left them")
@click.option("--fan-out/--no-fan-out", default=True, show_default=True,
              help="Then run, and time, the inbox fan-out the sweep queued")
def bench_sweep(overdue: int | None, concurrency: int, batch: int | None, start: str, fan_out: bool) -> None:
    """Time the feedback escalation job over every district of a seeded database, with its
    open items put past their deadlines first."""
    settings = Settings.from_env()
    if settings.is_sqlite:
        _fail("The benchmark runs on PostgreSQL: set GONGZHI_DATABASE_URL (and GONGZHI_DATABASE_OWNER_URL).")
    from bench import sweep

    if batch is not None:
        from core.feedback import workflow

        workflow.ESCALATION_BATCH = batch

    async def measure() -> tuple[dict, dict]:
        made = await sweep.make_overdue(settings.database_owner_url or settings.database_url, overdue,
                                        start=None if start == "kept" else start,
                                        say=lambda text: click.echo(text, nl=False))
        return made, await sweep.sweep(settings, concurrency=concurrency, fan_out=fan_out)

    made, result = _run(measure())
    click.echo(f"{made['open']:,} open items, {made['overdue']:,} past their deadline "
               f"({made['at_the_top']:,} of them at the top of the chain)")
    click.echo(f"swept {result['districts']:,} districts ({concurrency} at a time): {result['escalated']:,} items "
               f"escalated in {result['seconds']:.2f} s, {result['rows_per_second']:,.0f} items/s; slowest district "
               f"{result['slowest_district'][0]:.2f} s (id {result['slowest_district'][1]})")
    if result["slowest_district"][0] > result["timeout"]:
        click.echo(f"(the job stops at {result['timeout']} s: in production that district's run would end there, "
                   "having committed its batches so far, and the next run go on)")
    click.echo(f"resident memory: {result['rss_before']} MiB before, {result['rss_after']} MiB after, "
               f"{result['rss_peak']} MiB at the peak")
    if fan_out:
        click.echo(f"then {result['jobs_run']:,} queued jobs (inbox fan-outs) in {result['fan_out_seconds']:.2f} s, "
                   f"{result['job_failures']} failed; resident memory at the peak {result['rss_peak_fan_out']} MiB")


@bench.command(name="load")
@click.option("--base-url", default="http://127.0.0.1:8000", show_default=True, help="The server to drive")
@click.option("--slug", default="b0000", show_default=True, help="The district (the seed's largest is b0000)")
@click.option("--seconds", default=15.0, show_default=True, type=float, help="How long each run lasts")
@click.option("--concurrency", default=32, show_default=True, type=int, help="Clients of a saturating run")
@click.option("--rate", default=200.0, show_default=True, type=float, help="Requests a second of a fixed-rate run")
@click.option("--submit-rate", default=100.0, show_default=True, type=float,
              help="Requests a second of the fixed-rate run of submitting suggestions")
@click.option("--scenario", "only", multiple=True, help="Only these scenarios (by name; healthz always runs)")
def bench_load(base_url: str, slug: str, seconds: float, concurrency: int, rate: float, submit_rate: float,
               only: tuple[str, ...]) -> None:
    """Drive a running server with the seeded data: each scenario saturating, then at a fixed rate."""
    import asyncio

    from bench import load
    from bench.seed import PASSWORD

    settings = Settings.from_env()
    details = _run(load.plan(settings.database_owner_url or settings.database_url, slug, PASSWORD))

    async def drive() -> list:
        found = await load.scenarios(base_url, details)
        results = []
        try:
            for scenario in found:
                if only and scenario.name != "healthz" and scenario.name not in only:
                    continue
                results.append(await load.saturate(scenario, seconds=seconds, concurrency=concurrency))
                fixed = submit_rate if scenario.name == "submit suggestion" else rate
                results.append(await load.fixed_rate(scenario, seconds=seconds, rate=fixed))
                for line in load.table(results[-2:]).splitlines()[1:]:  # progress, on stderr
                    click.echo(line, err=True)
        finally:
            await load.close(found)
        return results

    results = asyncio.run(drive())
    floor = next((r.throughput for r in results if r.scenario == "healthz" and r.mode == "saturating"), None)
    click.echo(load.table(results, floor))


@bench.command(name="scale")
@click.option("--admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres", show_default=True,
              help="A role that may create and drop the databases of the run")
@click.option("--database", default="gongzhi_scale", show_default=True,
              help="The database made again for each size (on the server of GONGZHI_DATABASE_URL)")
@click.option("--port", default=8101, show_default=True, type=int)
@click.option("--runs", default=3, show_default=True, type=click.IntRange(min=1))
@click.option("--seconds", default=5.0, show_default=True, type=float, help="How long each run lasts")
@click.option("--rate", default=50.0, show_default=True, type=float, help="Requests a second of each run")
@click.option("--axis", type=click.Choice(["districts", "feedback items"]), default=None,
              help="Only this axis (both by default)")
@click.option("--residents-per-tenant", default=1000, show_default=True, type=click.IntRange(min=8))
def bench_scale(admin_url: str, database: str, port: int, runs: int, seconds: float, rate: float, axis: str | None,
                residents_per_tenant: int) -> None:
    """The scenarios at 10, 100 and 1,000 districts and at 10 k and 1 M feedback items: the median
    p95 of each and its growth, and each process's memory."""
    import asyncio

    from bench import scale

    settings = Settings.from_env()
    if settings.is_sqlite or not settings.database_owner_url:
        _fail("The scaling run needs PostgreSQL: set GONGZHI_DATABASE_URL and GONGZHI_DATABASE_OWNER_URL.")
    measured = asyncio.run(scale.run(admin_url, settings.database_url, settings.database_owner_url,
                                     database=database, port=port, runs=runs, seconds=seconds, rate=rate,
                                     only_axis=axis, residents_per_tenant=residents_per_tenant,
                                     say=lambda text: click.echo(text, err=True)))
    click.echo(scale.report(measured))


@bench.command(name="enumeration")
@click.option("--rounds", default=30, show_default=True, type=click.IntRange(min=3),
              help="Requests for each number and answer")
def bench_enumeration(rounds: int) -> None:
    """Whether log-in, a log-in code or a reset answers more slowly for an account that exists
    (on the configured database, either engine; it adds one person)."""
    from bench import enumeration

    click.echo(enumeration.table(_run(enumeration.measure(Settings.from_env(), rounds))))


@main.group()
def job() -> None:
    """The jobs core and the plugins declare, run here and now."""


@job.command(name="list")
def job_list() -> None:
    """List the jobs, with their queue and, for scheduled ones, their schedule."""
    from core.jobs import registry

    registry.load()
    for name, spec in sorted(registry.JOBS.items()):
        cron = registry.CRONS.get(name)
        when = " ".join(f"{k}={v}" for k, v in sorted(cron.schedule.items()) if k != "second") if cron else ""
        click.echo(f"{name:<40} {spec.queue:<6} {when}")


@job.command(name="run")
@click.argument("name")
@click.option("--district", "slug", default=None, help="The district (slug) to run a per-district job for; "
              "without it, every active district that runs it")
def job_run(name: str, slug: str | None) -> None:
    """Run a job once, now, in this process, and print what it returns (a plugin's per-district
    job: for each district that has the plugin enabled; core's: for the one named). Exits 1
    when a run fails or returns problems (a non-empty list)."""
    from core.jobs import registry
    from core.jobs.context import JobContext, run

    try:
        spec = registry.get(name)
    except LookupError as error:
        _fail(str(error))
    cron = registry.CRONS.get(name)
    per_district = spec.needs_active_tenant or (cron is not None and cron.per_tenant) or slug is not None

    async def go() -> bool:
        from core import platform_scope
        from tenants.services import get_tenant

        if slug is not None:
            districts = [(await get_tenant(slug)).id]
        elif per_district and spec.plugin is not None:
            districts = await platform_scope.districts_with_plugin(spec.plugin)
        elif per_district:
            raise click.UsageError(f"{name} runs per district: name one with --district")
        else:
            districts = [None]
        healthy = True
        for tenant_id in districts:
            answer = await run(spec, JobContext(Settings.from_env(), f"cli:{name}"), tenant_id, {})
            label = f"district {tenant_id}" if tenant_id is not None else "platform"
            click.echo(f"{label}: {answer!r}")
            if isinstance(answer, list) and answer:
                healthy = False
        return healthy

    try:
        healthy = _run(go())
    except click.UsageError:
        raise
    except Exception as error:  # the job's own failure, said as it is
        _fail(f"{name} failed: {error}")
    if not healthy:
        sys.exit(1)


@main.group()
def plugin() -> None:
    """The plugins installed here, and which districts use them."""


@plugin.command(name="list")
def plugin_list() -> None:
    """List the installed plugins, and those that could not be loaded and why."""
    from core.plugins.host import host

    loaded = host()
    if not loaded.plugins and not loaded.problems:
        click.echo("No plugins are installed.")
    for name, found in sorted(loaded.plugins.items()):
        manifest = found.manifest
        click.echo(f"{name:<24} {manifest.version:<10} {manifest.title.en} / {manifest.title.zh}")
    for name, problem in sorted(loaded.problems.items()):
        click.echo(f"{name:<24} NOT LOADED: {problem}")


@plugin.command(name="check")
@click.argument("path", type=click.Path())
def plugin_check(path: str) -> None:
    """Check a plugin's project folder or wheel without installing it: each problem with its place."""
    from pathlib import Path

    from core.plugins.checks import examine

    report = examine(Path(path))
    for problem in report.problems:
        click.echo(str(problem))
    if report.problems:
        sys.exit(1)
    click.echo(f"OK: {report.name} {report.version}")


def _switch_command(action: str) -> None:
    @click.argument("slug")
    @click.argument("name")
    def command(slug: str, name: str) -> None:
        from core.errors import GongzhiError
        from core.plugins import enablement
        from core.tenancy import TenantScope
        from tenants.services import get_tenant

        async def switch() -> None:
            district = await get_tenant(slug)
            await enablement.set_enabled(TenantScope(district.id), name, action == "enable", actor_id=None)
            click.echo(f"{name} is {action}d in {district.display_name} ({slug}).")

        try:
            _run(switch())
        except GongzhiError as error:
            _fail(str(error.detail))

    command.__doc__ = {"enable": "Enable a plugin in a district (it holds at once in every process).",
                       "disable": "Disable a plugin in a district (its data is kept)."}[action]
    plugin.command(name=action)(command)


for _action in ("enable", "disable"):
    _switch_command(_action)


@plugin.command(name="new")
@click.argument("name")
@click.option("--dir", "parent", type=click.Path(file_okay=False), default=".", show_default=True,
              help="Where to make the package's folder, gongzhi-<name>")
def plugin_new(name: str, parent: str) -> None:
    """Make a new plugin package: entry point, manifest, a page, a table with its migration, translations, tests."""
    from pathlib import Path

    from core.plugins import scaffold

    try:
        folder = scaffold.create(name, Path(parent))
    except scaffold.ScaffoldError as error:
        _fail(str(error))
    click.echo(f"Made the plugin {name} in {folder}")
    click.echo(f"Next: cd {folder} && pip install -e . && python -m pytest")


@plugin.command(name="build")
@click.argument("path", type=click.Path(file_okay=False), default=".")
@click.option("--out", type=click.Path(file_okay=False), default=None, help="Where to put the wheel [PATH/dist]")
def plugin_build(path: str, out: str | None) -> None:
    """Build a plugin package's wheel, and print its path and sha256."""
    from pathlib import Path

    from core.plugins import wheels

    try:
        wheel = wheels.build(Path(path), Path(out) if out else None)
    except wheels.BuildError as error:
        _fail(str(error))
    click.echo(str(wheel.path))
    click.echo(f"sha256 {wheel.sha256}")


@plugin.command(name="publish")
@click.argument("wheel", type=click.Path(dir_okay=False))
@click.option("--token", required=True, help="A publisher's token with the scope marketplace:publish")
@click.option("--url", default=None, help="The platform's address [GONGZHI_PUBLIC_URL]")
@click.option("--changelog", default="", help="What changed in this version")
def plugin_publish(wheel: str, token: str, url: str | None, changelog: str) -> None:
    """Upload a plugin's wheel to the marketplace, to be reviewed by the platform's admins."""
    from pathlib import Path

    from core import i18n
    from core.marketplace import client

    outcome = asyncio.run(client.publish(Path(wheel), url=url or Settings.from_env().public_url, token=token,
                                         changelog=changelog, language=i18n.current_language()))
    if not outcome.ok:
        _fail(outcome.text)
    click.echo(outcome.text)


@plugin.command(name="install")
@click.argument("spec", metavar="NAME[==VERSION]")
def plugin_install(spec: str) -> None:
    """Install an approved marketplace release into this environment (its sha256 verified), then migrate."""
    from core.marketplace import installation

    try:
        done = _run(installation.install(Settings.from_env(), spec, click.echo))
    except installation.InstallError as error:
        _fail(str(error))
    click.echo(f"Installed {done.name} {done.version}. Restart the app and the workers to load it; "
               f"districts can then enable it (gongzhi plugin enable SLUG {done.name}, or in their console).")


@main.group()
def keys() -> None:
    """The master key: its keys, and rotating it (docs/operations.md)."""


@keys.command(name="status")
def keys_status() -> None:
    """The master keys the file holds and the district keys each one wraps."""
    from core.protection import rotation

    for found in _run(rotation.status(Settings.from_env())):
        where = "current" if found.current else ("in the file" if found.in_file else "NOT IN THE FILE")
        click.echo(f"{found.key_id or '(no id)':<14} {where:<16} {found.district_keys} district keys")


@keys.command(name="add")
@click.option("--new-key-file", type=click.Path(dir_okay=False, exists=True), default=None,
              help="A key made elsewhere (32 bytes); without it, one is made here")
def keys_add(new_key_file: str | None) -> None:
    """Step 1: add a new master key to the file, not current yet; then put the file on every host."""
    from core.protection import rotation

    try:
        new_key = rotation.read_key_file(new_key_file) if new_key_file else None
        added = _run(rotation.add_key(Settings.from_env(), new_key))
    except (rotation.RotationRefused, rotation.MasterKeyMissing) as error:
        _fail(str(error))
    click.echo(f"Added master key {added}. Put the file on every host, then: gongzhi keys use {added}")


@keys.command(name="use")
@click.argument("key_id")
def keys_use(key_id: str) -> None:
    """Step 2: make a key of the file current; then put the file on every host."""
    from core.protection import rotation

    try:
        _run(rotation.make_current(Settings.from_env(), key_id))
    except rotation.RotationRefused as error:
        _fail(str(error))
    click.echo(f"Master key {key_id} is current. Put the file on every host, then: gongzhi keys rotate")


@keys.command(name="rotate")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Wrap at most this many district keys")
def keys_rotate(limit: int | None) -> None:
    """Step 3: wrap every district key again under the current master key (run it again to finish)."""
    from core.protection import rotation

    done = _run(rotation.rotate(Settings.from_env(), limit=limit))
    click.echo(f"{done.rewrapped} district keys wrapped again under master key {done.key_id}.")
    if done.stopped_early:
        click.echo("Stopped at the limit: run it again to go on.")
    if done.unopened:
        _fail(f"Not opened here (their master key is not in this file): districts {done.unopened}")


@keys.command(name="retire")
@click.argument("key_id")
def keys_retire(key_id: str) -> None:
    """Step 4: take an old key out of the file, once no district key needs it."""
    from core.protection import rotation

    try:
        _run(rotation.retire_key(Settings.from_env(), key_id))
    except rotation.RotationRefused as error:
        _fail(str(error))
    click.echo(f"Master key {key_id} is retired here. Put the file on every host, then destroy every copy of it.")


@main.group()
def retention() -> None:
    """How long each district keeps each kind of sensitive data."""


@retention.command(name="show")
@click.argument("slug")
def retention_show(slug: str) -> None:
    """The district's retention of each kind, in days (0: kept until the person is erased)."""
    from core.protection import retention as rules
    from core.tenancy import TenantScope
    from tenants.services import get_tenant

    async def show() -> list:
        return await rules.rules_of(TenantScope((await get_tenant(slug)).id))

    from core.errors import GongzhiError

    try:
        found = _run(show())
    except GongzhiError as error:
        _fail(str(error.detail))
    for rule in found:
        click.echo(f"{rule.kind:<36} {rule.days:>6} {'(default)' if rule.default else ''}")


@retention.command(name="set")
@click.argument("slug")
@click.argument("kind")
@click.argument("days", type=click.IntRange(min=0))
def retention_set(slug: str, kind: str, days: int) -> None:
    """Keep one kind of the district's sensitive data this many days (0: until the person is erased)."""
    from core.errors import GongzhiError
    from core.protection import retention as rules
    from core.tenancy import TenantScope
    from tenants.services import get_tenant

    async def change() -> None:
        await rules.set_days(TenantScope((await get_tenant(slug)).id), kind, days, actor_id=None)

    try:
        _run(change())
    except GongzhiError as error:
        _fail(str(error.detail))
    click.echo(f"{slug} keeps {kind} for {days} days.")

if __name__ == "__main__":
    main()
