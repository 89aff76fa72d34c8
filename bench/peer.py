"""The benchmark's peer: a plain Flask page of the kind most Flask apps are made of (issue 15, point 5).

Flask's signed-cookie session, Flask-Login loading the user by primary key, one ORM query of the
20 latest rows of a 5-column table (ordered by an indexed column), a Jinja template of a 20-row
table. No audit, no encryption, no access policy. Every Bridge page is printed as a ratio to it
(goal: >= 1.0, Bridge's pages with their scoping, encryption and audit as fast as this).

It is served by gunicorn with the same settings as Bridge, on the same kind of database, in the
same run, and loaded by wrk the same way:

    seed(url, rows=100_000)                      # tables and rows (SQLite file or PostgreSQL database)
    gunicorn 'bench.peer:create_peer_app()'      # with DATABASE_URL and SECRET_KEY set
    POST /login (email, password) -> `session` cookie; GET /items is the measured page.
"""
import os
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask, abort, redirect, render_template, request
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

EMAIL, PASSWORD = "peer@bench.example", "peer-password-not-secret"
PATH, COOKIE = "/items", "session"
KINDS = ("book", "tool", "plant", "lamp", "chair")

db = SQLAlchemy()
login_manager = LoginManager()


class User(UserMixin, db.Model):
    __tablename__ = "peer_users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(200), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(200))


class Item(db.Model):
    """The 5-column table."""

    __tablename__ = "peer_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(120))
    kind: Mapped[str] = mapped_column(sa.String(20))
    amount: Mapped[float] = mapped_column(sa.Float)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, index=True)


@login_manager.user_loader
def load_user(user_id: str):
    return db.session.get(User, int(user_id))


def create_peer_app(database_url: str | None = None) -> Flask:
    """The peer app on DATABASE_URL (or the URL given)."""
    app = Flask(__name__, template_folder="peer_templates")
    app.config.update(SECRET_KEY=os.environ.get("SECRET_KEY", "peer-development-key"),
                      SQLALCHEMY_DATABASE_URI=database_url or os.environ["DATABASE_URL"],
                      SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax")
    db.init_app(app)
    login_manager.init_app(app)
    app.add_url_rule("/healthz", "healthz", lambda: "ok")
    app.add_url_rule("/login", "login", login, methods=["POST"])
    app.add_url_rule(PATH, "items", items)
    app.add_url_rule(f"{PATH}/<int:item_id>", "item", item)
    return app


def login():
    user = db.session.scalar(sa.select(User).where(User.email == request.form.get("email", "")))
    if user is None or not check_password_hash(user.password_hash, request.form.get("password", "")):
        abort(403)
    login_user(user)
    return redirect(PATH)


@login_required
def items():
    latest = db.session.scalars(sa.select(Item).order_by(Item.created_at.desc()).limit(20)).all()
    return render_template("items.html", items=latest)


@login_required
def item(item_id: int):
    found = db.get_or_404(Item, item_id)
    return f"{found.title} ({found.kind}) for {current_user.email}"


def seed(url: str, rows: int = 100_000, batch: int = 10_000) -> None:
    """Create the peer's tables in the database at `url` (afresh) and fill them: one user, `rows` items."""
    app = create_peer_app(url)
    start = datetime(2025, 1, 1)
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.session.execute(sa.insert(User), [{"email": EMAIL, "password_hash": generate_password_hash(PASSWORD)}])
        for first in range(0, rows, batch):
            db.session.execute(sa.insert(Item), [
                {"title": f"Item number {n}", "kind": KINDS[n % len(KINDS)], "amount": (n * 37 % 10_000) / 100,
                 "created_at": start + timedelta(minutes=7 * n)} for n in range(first, min(rows, first + batch))])
        db.session.commit()
        db.engine.dispose()


def sign_in(server) -> str:
    """Sign in to the running peer (a bench.server.Server) over HTTP; its `session` cookie."""
    from bench.server import fetch

    answer = fetch(server.port, "/login", method="POST", form={"email": EMAIL, "password": PASSWORD}, cookie=COOKIE)
    token = answer.cookie(COOKIE)
    if answer.status != 302 or not token:
        raise SystemExit(f"bench: sign-in to the peer app failed (HTTP {answer.status})")
    return token
