"""docker-compose.yml, Dockerfile and .env.example stay in step with the settings.

No Docker engine runs in CI, so the compose file is read as YAML and checked
against what portal/settings.py actually reads. Pure file tests: no database.
"""

import ast
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("web", "worker", "beat")
REQUIRED_APP_ENV = {"DATABASE_URL", "REDIS_URL", "DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DJANGO_DEBUG"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def settings_env_names() -> set[str]:
    """Every variable portal/settings.py reads.

    Calls whose first argument is an upper-case string literal and whose callee is
    env itself, a method of it (env.str, env.db_url...), os.environ.get / os.getenv,
    or a helper function defined in the settings module (such as strict_bool).
    """
    tree = ast.parse((ROOT / "portal" / "settings.py").read_text())
    helpers = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}

    def reads_environment(func: ast.expr) -> bool:
        if isinstance(func, ast.Name):
            return func.id in {"env", "getenv"} | helpers
        if isinstance(func, ast.Attribute):
            return (isinstance(func.value, ast.Name) and func.value.id == "env") or ast.unparse(func) in {
                "os.environ.get",
                "os.getenv",
            }
        return False

    names = {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
        and re.fullmatch(r"[A-Z][A-Z0-9_]*", node.args[0].value)
        and reads_environment(node.func)
    }
    assert {"DJANGO_DEBUG", "DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= names, (
        "settings parser found too little"
    )
    return names


def environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {name: str(value) for name, value in env.items()}


def command_text(service: dict) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else command


def redis_server_options(service: dict) -> dict[str, str]:
    """`redis-server --name value ...` in a service's command, as {name: value}."""
    command = service["command"]
    assert isinstance(command, list), "give redis-server its options as a list"
    assert command[0] == "redis-server"
    names, values = command[1::2], command[2::2]
    assert all(name.startswith("--") for name in names) and len(names) == len(values), command
    return {name[2:]: value for name, value in zip(names, values, strict=True)}


def test_the_six_services_exist(services):
    assert set(services) == {"web", "worker", "beat", "db", "redis", "cache"}
    assert services["db"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")
    assert services["cache"]["image"].startswith("redis:7")


@pytest.mark.parametrize("name", ["db", "redis", "cache", "web"])
def test_healthchecks(services, name):
    test = services[name]["healthcheck"]["test"]
    text = test if isinstance(test, str) else " ".join(test)
    expected = {"db": "pg_isready", "redis": "redis-cli ping", "cache": "redis-cli ping", "web": "/healthz"}[name]
    assert expected in text


def test_the_cache_has_a_memory_limit_and_evicts_the_least_recently_used_keys(services):
    options = redis_server_options(services["cache"])
    assert re.fullmatch(r"\d+(mb|gb)", options["maxmemory"])
    assert options["maxmemory-policy"] == "allkeys-lru"
    # Nothing in it is worth keeping across a restart.
    assert options["save"] == "" and options["appendonly"] == "no"
    assert "volumes" not in services["cache"]


def test_the_broker_has_a_memory_limit_but_never_evicts_a_queued_task(services):
    options = redis_server_options(services["redis"])
    assert re.fullmatch(r"\d+(mb|gb)", options["maxmemory"])
    assert options["maxmemory-policy"] == "noeviction"
    assert options["appendonly"] == "yes"
    assert any(volume.endswith(":/data") for volume in services["redis"]["volumes"])


@pytest.mark.parametrize("name", APP_SERVICES)
def test_the_cache_is_its_own_redis_apart_from_the_broker(services, name):
    env = environment(services[name])
    cache, broker = urlsplit(env["CACHE_REDIS_URL"]), urlsplit(env["REDIS_URL"])
    assert cache.hostname == "cache"
    assert broker.hostname == "redis"
    # The portal runs without the cache (core/cache.py falls back to the database): not waited for.
    assert services[name]["depends_on"]["cache"]["condition"] == "service_started"


def test_web_healthcheck_uses_python_and_the_real_health_url(services):
    from django.urls import reverse

    test = services["web"]["healthcheck"]["test"]
    assert test[:2] == ["CMD", "python"], "the slim image has no curl"
    assert f"http://127.0.0.1:8000{reverse('healthz')}" in " ".join(test)
    compile(test[-1], "<healthcheck>", "exec")  # the one-liner is valid Python


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_wait_for_healthy_db_and_redis(services, name):
    depends_on = services[name]["depends_on"]
    assert isinstance(depends_on, dict), "use the long form, with conditions"
    for dependency in ("db", "redis"):
        assert depends_on[dependency]["condition"] == "service_healthy"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_get_the_required_environment(services, name):
    env = environment(services[name])
    assert REQUIRED_APP_ENV <= set(env)
    assert env["DJANGO_DEBUG"] == "false"
    assert urlsplit(env["DATABASE_URL"]).hostname == "db"
    assert urlsplit(env["DATABASE_URL"]).scheme in {"postgres", "postgresql"}
    assert urlsplit(env["REDIS_URL"]).hostname == "redis"
    # No usable default secret or address: compose stops with a message naming what is unset.
    for variable in ("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "PORTAL_SITE_URL", "EMAIL_URL", "NOTIFY_API_KEY"):
        assert re.fullmatch(rf"\$\{{{variable}:\?[^}}]+\}}", env[variable]), variable


def test_compose_gives_every_variable_production_requires():
    from tests.settings_probe import PRODUCTION

    for name in APP_SERVICES:
        env = environment(yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"][name])
        assert set(PRODUCTION) <= set(env), sorted(set(PRODUCTION) - set(env))


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_environment_names_are_ones_the_settings_read(services, name):
    unknown = set(environment(services[name])) - settings_env_names()
    assert not unknown, f"{name} sets variables portal/settings.py never reads: {sorted(unknown)}"


def test_database_url_matches_the_db_service(services):
    url = urlsplit(environment(services["web"])["DATABASE_URL"])
    db_env = environment(services["db"])
    assert url.username == db_env["POSTGRES_USER"]
    assert url.password == db_env["POSTGRES_PASSWORD"]
    assert url.path.lstrip("/") == db_env["POSTGRES_DB"]
    assert url.port == 5432


def test_env_example_lists_only_variables_the_settings_read():
    text = (ROOT / ".env.example").read_text()
    names = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))
    assert names, ".env.example parser found nothing"
    unknown = names - settings_env_names()
    assert not unknown, f".env.example mentions variables portal/settings.py never reads: {sorted(unknown)}"


def test_commands_reference_real_modules(services):
    web = command_text(services["web"])
    assert "manage.py migrate" in web
    assert web.index("manage.py migrate") < web.index("gunicorn"), "web migrates before it serves"
    assert "gunicorn portal.wsgi:application" in web
    assert "application = " in (ROOT / "portal" / "wsgi.py").read_text()

    assert command_text(services["worker"]).startswith("celery -A portal worker")
    assert command_text(services["beat"]).startswith("celery -A portal beat")
    from portal import celery_app

    assert celery_app.main == "portal"


def test_dockerfile_builds_a_non_root_gunicorn_image():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim\b", dockerfile, flags=re.MULTILINE)
    assert "pip install -r requirements.txt" in dockerfile
    assert "collectstatic --noinput" in dockerfile
    users = re.findall(r"^USER\s+(\S+)", dockerfile, flags=re.MULTILINE)
    assert users and users[-1] not in {"root", "0"}
    assert "portal.wsgi:application" in dockerfile


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_image():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".env", ".venv", ".git", "db.sqlite3"} <= ignored


def test_the_production_image_leaves_the_demo_app_out():
    # The build context drops demo/ and the Dockerfile stops if it is there all the same.
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert "demo" in ignored or "demo/" in ignored
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^RUN test ! -e demo\b", dockerfile, flags=re.MULTILINE)
    # Nothing the services run names a demo command.
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    for service in compose["services"].values():
        assert "seed_demo" not in command_text(service) and "fake_notify" not in command_text(service)
