"""Finding a family: search by reference, family name or child's first name; filters, sorts, paging, counts."""
from datetime import timedelta

import sqlalchemy as sa

from pwa.core import clock
from pwa.core.extensions import db
from pwa.models import FamilySearchToken, Role
from tests.support.caseload_helpers import add_visit, listed, showing


def _search(auth, query: str) -> str:
    return auth.client.get("/families/", query_string={"q": query}).get_data(as_text=True)


def test_search_by_family_name_child_and_reference_ignores_case_and_accents(world, auth, make_family):
    obrien = make_family(world.social_worker, name="The Ó'Brien family", children=(("Zoë", None), ("Kit", None)))
    make_family(world.social_worker, name="The Smith family", children=(("Amélie", None),))
    make_family(world.far_social_worker, name="The Far Ó'Brien family")
    auth.login(world.coordinator)
    assert listed(_search(auth, "obri")) == ["The Ó'Brien family"]  # partial, accent-free; not another programme's
    assert listed(_search(auth, "ZOE")) == ["The Ó'Brien family"]  # a child's first name, any case
    assert listed(_search(auth, "amel")) == ["The Smith family"]
    assert listed(_search(auth, "brien zo")) == ["The Ó'Brien family"]  # every word must match
    page = _search(auth, "smith zoe")
    assert listed(page) == [] and "No family matches these choices." in page and "0 families found" in page
    reference = obrien.reference.split("-")[1].lower()  # BR-7KQM-2X9D: "7kqm"
    assert listed(_search(auth, reference)) == ["The Ó'Brien family"]
    assert listed(_search(auth, obrien.reference)) == ["The Ó'Brien family"]
    assert 'value="obri"' in _search(auth, "obri")  # what was typed stays in the box
    assert "at least two letters" in _search(auth, "z")


def test_a_social_worker_finds_only_their_own_families(world, auth, make_family):
    make_family(world.other_social_worker, name="The Hidden family")
    auth.login(world.social_worker)
    assert listed(_search(auth, "family")) == ["The Own family"]


def test_the_index_holds_keyed_tokens_never_names_and_follows_name_changes(world, auth, app, make_family):
    from pwa.families import services
    from pwa.models import Family, User

    family = make_family(world.social_worker, name="The Quill family", children=(("Bea", None),))
    with app.app_context():
        tokens = db.session.scalars(sa.select(FamilySearchToken.token)
                                    .where(FamilySearchToken.family_id == family.id)).all()
        assert tokens and all(len(t) == 16 for t in tokens)
        # Three bytes or more: two given bytes turn up by chance in a 16-byte token about once in 4,000.
        assert not any(word in t for t in tokens for word in (b"quill", b"Quill", b"bea", b"qui"))
        services.add_child(db.session.get(User, world.social_worker.id), db.session.get(Family, family.id),
                           "Lola", None)
        db.session.get(Family, family.id).display_name = "The Quince family"
        db.session.commit()
    auth.login(world.coordinator)
    # Searches with a letter no reference uses (I, L, O), so a random reference can't match them too.
    assert listed(_search(auth, "lol")) == ["The Quince family"]
    assert listed(_search(auth, "quin")) == ["The Quince family"]
    assert listed(_search(auth, "quill")) == []


def test_key_rotation_rebuilds_the_index(world, auth, runner):
    result = runner.invoke(args=["keys", "rotate"])
    assert result.exit_code == 0 and "search index rebuilt" in result.output, result.output
    auth.login(world.coordinator)
    assert listed(_search(auth, "own")) == ["The Own family"]
    assert sorted(listed(_search(auth, "amy"))) == ["The Others family", "The Own family"]


def test_filters_and_sorts_come_from_the_url_and_stay_on_the_page(world, auth, app, make_family, make_user):
    waiting = make_family(world.social_worker, name="The Waiting family")
    make_family(world.social_worker, name="The Unconsented family", consent=False)
    add_visit(app, world.match, on=clock.today() - timedelta(days=2))  # the Own family: visited
    auth.login(world.coordinator)

    def names(**args):
        return listed(auth.client.get("/families/", query_string=args).get_data(as_text=True))

    assert names(awaiting="1") == [waiting.display_name]
    assert names(stage="referral") == ["The Unconsented family"]
    assert names(overdue="1") == ["The Others family"]  # matched 30 days ago, never visited
    assert names(mentor=str(world.mentor.id)) == ["The Own family"]
    assert sorted(names(social_worker=str(world.other_social_worker.id))) == ["The Others family"]
    assert names(plan="cin") == []
    by_last_visit = names(sort="last_visit")
    assert by_last_visit.index("The Others family") < by_last_visit.index("The Own family")  # never visited first
    assert names(sort="end")[:2] in (["The Own family", "The Others family"], ["The Others family", "The Own family"])
    page = auth.client.get("/families/?overdue=1&sort=last_visit&stage=support").get_data(as_text=True)
    assert 'name="overdue" value="1" checked' in page and '<option value="last_visit" selected>' in page
    assert '<option value="support" selected>' in page and "1 family found" in page
    assert "Overdue a visit" in page and "none yet" in page  # the card says why


def test_every_page_of_the_families_list_counts_right_and_keeps_the_search(app, auth, make_programme, make_user,
                                                                           make_family):
    programme = make_programme()
    coordinator, worker = make_user(Role.coordinator, programme), make_user(Role.social_worker, programme)
    for i in range(55):
        make_family(worker, name=f"The Larch {i} family", children=())
    make_family(worker, name="The Oak family", children=())
    auth.login(coordinator)
    first = auth.client.get("/families/").get_data(as_text=True)
    assert showing(first) == "Showing 1–50 of 56" and len(listed(first)) == 50 and "Page 1 of 2" in first
    second = auth.client.get("/families/?page=2").get_data(as_text=True)
    assert showing(second) == "Showing 51–56 of 56" and len(listed(second)) == 6
    larches = auth.client.get("/families/?q=larch").get_data(as_text=True)
    assert showing(larches) == "Showing 1–50 of 55" and "q=larch" in larches.split('rel="next"')[0].rsplit("href=", 1)[1]
    assert showing(auth.client.get("/families/?q=larch&page=2").get_data(as_text=True)) == "Showing 51–55 of 55"
    assert showing(auth.client.get("/families/?q=larch&page=99").get_data(as_text=True)) == "Showing 51–55 of 55"


def _queries(auth, path: str) -> int:
    return int(auth.client.get(path).headers["X-Query-Count"])


def test_families_list_and_search_run_the_same_queries_at_two_sizes(world, app, auth, make_family, make_user,
                                                                    make_match):
    paths = ("/families/", "/families/?q=fam", "/families/?q=amy&overdue=1&sort=last_visit",
             "/families/?awaiting=1&sort=waiting", f"/families/?mentor={world.mentor.id}&sort=end", "/caseload")
    app.config["QUERY_COUNT_HEADER"] = True
    try:
        auth.login(world.coordinator)
        small = [_queries(auth, p) for p in paths]
        for i in range(12):
            family = make_family(world.social_worker, name=f"The Extra {i} family",
                                 children=(("Amy", None), ("Ben", None)))
            if i % 2:
                match = make_match(family, make_user(Role.mentor, world.programme), world.coordinator)
                add_visit(app, match, on=clock.today() - timedelta(days=i))
        large = [_queries(auth, p) for p in paths]
        assert large == small
    finally:
        app.config["QUERY_COUNT_HEADER"] = False


def test_a_page_of_families_and_its_total_come_from_one_select(world, app, auth, make_family):
    """The count rides on the page's rows; only a page past the end is counted apart (and the last page read)."""
    for i in range(3):
        make_family(world.social_worker, name=f"The Rowan {i} family", children=())
    auth.login(world.coordinator)
    seen: list[str] = []

    def keep(conn, cursor, statement, *_):
        seen.append(" ".join(statement.split()))

    def family_selects(path: str) -> tuple[str, int]:
        seen.clear()
        page = auth.client.get(path).get_data(as_text=True)
        return showing(page), sum(1 for s in seen if s.startswith("SELECT") and " FROM families" in s)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", keep)
    try:
        assert family_selects("/families/?q=rowan") == ("Showing 1–3 of 3", 1)
        assert family_selects("/families/?q=rowan&sort=next_review") == ("Showing 1–3 of 3", 1)
        assert family_selects("/families/?q=rowan&page=7") == ("Showing 1–3 of 3", 3)
        assert family_selects("/families/?q=nobody") == ("Showing 0 of 0", 1)
    finally:
        sa.event.remove(engine, "before_cursor_execute", keep)


def test_the_blind_index_normalises_and_keys_its_tokens():
    from pwa.crypto import blind

    assert blind.normalise("Zoë  O'BRIEN-Smith") == ["zoe", "o", "brien", "smith"]
    terms = blind.index_terms(["The Ó'Brien family"])
    assert {"ob", "obr", "obrien", "br", "brien", "fa", "family"} <= terms and "o" not in terms
    assert blind.query_terms("O'Bri  z") == ["obri"]  # one letter is too short to look up
    one, other = blind.BlindIndex(b"\x01" * 32), blind.BlindIndex(b"\x02" * 32)
    assert one.query("obri") == [one.digest("obri")] and one.digest("obri") != other.digest("obri")
    assert one.digest("obri") in one.tokens(["The O'Brien family"]) and len(one.digest("obri")) == 16
    assert "Averyverylongname"[:blind.MAX_PREFIX].lower() in blind.index_terms(["Averyverylongname"])
