"""Fixtures: one app per session on SQLite (or a throwaway PostgreSQL), clean tables per test."""
import os
import re
from datetime import date, timedelta

import pyotp
import pytest
import sqlalchemy as sa


from bench.app import create_bench_app
from pwa.core import clock
from pwa import config
from pwa.core.extensions import db
from pwa.models import ConsentMethod, Family, Match, PlanType, Programme, Role, User
from pwa.models.base import Base
from tests.support import mfa as mfa_support

# Fixture modules: a real SMTP server on loopback, the concern world's canaries and mail.
pytest_plugins = ["tests.support.smtp_fixture", "tests.support.concern_fixtures", "tests.support.figures"]

PASSWORD = "correct horse battery staple"



@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """SQLite in a temp folder, or a PostgreSQL cluster started for this run."""
    if os.environ.get("BRIDGE_TEST_DATABASE") == "postgresql":
        from tests.support.pgcluster import PostgresCluster

        cluster = PostgresCluster()
        yield cluster.start()
        cluster.stop()
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'bridge.db'}"


@pytest.fixture(scope="session")
def instance_path(tmp_path_factory):
    return tmp_path_factory.mktemp("instance")


@pytest.fixture(scope="session")
def app(database_url, instance_path):
    """The application, its schema built by the real migrations."""
    settings = config.for_tests(str(instance_path), database_url)
    settings["DATA_KEY_FILE"] = str(instance_path / "data-keys.json")
    settings["MAIL_DIR"] = str(instance_path / "mail")
    # The benchmark's app: production plus its bare route and the X-Query-Count header tests count with.
    app = create_bench_app(settings)
    app.instance_path = str(instance_path)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        # Tables a change adds before its migration is written; test_migrations
        # fails until the migrations alone build the whole schema.
        db.create_all()
    mfa_support.use(app)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def clean(app):
    """Every test starts with empty tables, real time and a fresh session."""
    clock.reset()
    yield
    clock.reset()
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture
def ctx(app):
    """An application context for tests that call services directly."""
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_from(html: str) -> str:
    """The CSRF token in a rendered form."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or \
        re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


class Auth:
    """Sign a test client in and out, and post forms with their CSRF token."""

    def __init__(self, client):
        self.client = client

    def login(self, user_or_email, password: str = PASSWORD, next: str | None = None, second_factor: bool = True):
        """Sign in through the real forms: the password, then (unless told not to) the second step."""
        email = getattr(user_or_email, "email", user_or_email)
        page = self.client.get("/login")
        r = self.client.post("/login", data={"email": email, "password": password,
                                             "csrf_token": csrf_from(page.get_data(as_text=True))},
                             query_string={"next": next} if next is not None else None)
        where = r.headers.get("Location", "") if r.status_code == 302 else ""
        if second_factor and "/account/mfa/verify" in where:
            return self.second_step(email)
        if second_factor and "/account/mfa/enrol" in where:
            return self.enrol()
        return r

    def second_step(self, email: str, code: str | None = None):
        """Type the authenticator app's current code into the verify form."""
        page = self.client.get("/account/mfa/verify").get_data(as_text=True)
        code = code or mfa_support.code_for(email, app=self.client.application)
        return self.client.post("/account/mfa/verify", data={"code": code, "csrf_token": csrf_from(page)})

    def enrol(self):
        """Set up an authenticator app from the enrol page's setup key, as a person would by hand."""
        page = self.client.get("/account/mfa/enrol").get_data(as_text=True)
        secret = re.search(r'id="setup-key">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
        code = pyotp.TOTP(secret).at(clock.now())
        return self.client.post("/account/mfa/enrol", data={"code": code, "csrf_token": csrf_from(page)})

    def token(self, path: str = "/account") -> str:
        return csrf_from(self.client.get(path).get_data(as_text=True))

    def post(self, path: str, data: dict | None = None, token_from: str = "/account", **kw):
        data = dict(data or {})
        data.setdefault("csrf_token", self.token(token_from))
        return self.client.post(path, data=data, **kw)

    def logout(self):
        return self.post("/logout")


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def make_programme(app):
    def make(name: str | None = None, **kw) -> Programme:
        with app.app_context():
            p = Programme(name=name or f"Programme {os.urandom(3).hex()}", duty_email="duty@example.org",
                          duty_phone="01632 960000", **kw)
            db.session.add(p)
            db.session.commit()
            db.session.refresh(p)
            db.session.expunge(p)
            return p
    return make


@pytest.fixture
def make_user(app):
    from pwa.auth.passwords import hash_password

    hashed = {}

    def make(role: Role, programme: Programme | None = None, *, ready: bool = True, name: str | None = None,
             email: str | None = None, password: str = PASSWORD, active: bool = True, mfa: bool = True) -> User:
        with app.app_context():
            if password not in hashed:
                hashed[password] = hash_password(password)
            u = User(email=email or f"{role.name}-{os.urandom(4).hex()}@example.org",
                     name=name or f"{role.value} {os.urandom(2).hex()}", role=role, active=active,
                     programme_id=programme.id if programme else None, password_hash=hashed[password])
            if role is Role.mentor and ready:
                today = clock.today()
                u.dbs_checked_on, u.cp_trained_on = today - timedelta(days=100), today - timedelta(days=90)
                u.inducted_on = today - timedelta(days=80)
            db.session.add(u)
            if mfa:  # an authenticator app with the test secret; Auth.login types its codes
                mfa_support.enrol(u)
            db.session.commit()
            db.session.refresh(u)
            db.session.expunge(u)
            return u
    return make


@pytest.fixture
def make_family(app):
    def make(social_worker: User, *, consent: bool = True, name: str = "The Test family",
             children=(("Amy", date(2017, 3, 4)),), **kw) -> Family:
        from pwa.families import services

        with app.app_context():
            sw = db.session.get(User, social_worker.id)
            f = services.refer_family(sw, display_name=name, address="1 Test Street", plan_type=PlanType.cp,
                                      referral_reason="Referral reason", involvement_plan="Plan",
                                      children=list(children))
            if consent:
                services.record_consent(sw, f, clock.today() - timedelta(days=5), ConsentMethod.written)
            db.session.commit()
            f = db.session.get(Family, f.id)
            _ = f.children, f.social_worker
            db.session.expunge_all()
            return f
    return make


@pytest.fixture
def make_match(app):
    def make(family: Family, mentor: User, coordinator: User, *, started_on: date | None = None,
             support: bool = True, notices: bool = False) -> Match:
        from pwa.matches import services
        from pwa.models import MailKind, OutboxMessage

        with app.app_context():
            before = set(db.session.scalars(sa.select(OutboxMessage.id)))
            fam, men, co = (db.session.get(Family, family.id), db.session.get(User, mentor.id),
                            db.session.get(User, coordinator.id))
            m = services.create_match(co, fam, men, started_on or clock.today() - timedelta(days=30), None)
            if support:
                services.start_support(co, m)
            if not notices:  # the social worker's "matched" notice is set-up noise for most tests
                db.session.execute(sa.delete(OutboxMessage).where(OutboxMessage.kind == MailKind.notice,
                                                                  OutboxMessage.id.not_in(before)))
            db.session.commit()
            m = db.session.get(Match, m.id)
            db.session.expunge_all()
            return m
    return make


class World:
    """Two programmes, every role, and a family for each relation a test checks."""


@pytest.fixture
def world(app, make_programme, make_user, make_family, make_match):
    w = World()
    w.app = app  # for access rules that build their objects lazily (tests/concern_world.py)
    w.programme, w.other_programme = make_programme("Home"), make_programme("Elsewhere")
    w.admin = make_user(Role.admin)
    w.coordinator = make_user(Role.coordinator, w.programme)
    w.social_worker = make_user(Role.social_worker, w.programme)
    w.mentor = make_user(Role.mentor, w.programme)
    w.other_mentor = make_user(Role.mentor, w.programme)
    w.other_social_worker = make_user(Role.social_worker, w.programme)
    w.far_coordinator = make_user(Role.coordinator, w.other_programme)
    w.far_social_worker = make_user(Role.social_worker, w.other_programme)
    w.far_mentor = make_user(Role.mentor, w.other_programme)
    w.family = make_family(w.social_worker, name="The Own family")
    w.match = make_match(w.family, w.mentor, w.coordinator)
    w.others_family = make_family(w.other_social_worker, name="The Others family")
    w.others_match = make_match(w.others_family, w.other_mentor, w.coordinator)
    w.far_family = make_family(w.far_social_worker, name="The Far family")
    w.far_match = make_match(w.far_family, w.far_mentor, w.far_coordinator)
    return w


