"""The web forms, rendered empty for the offline shell pages (JavaScript fills the family's choices)."""


def shell_forms(endpoint: str) -> dict:
    """The form objects a shell page renders: no data, no CSRF token."""
    if endpoint == "offline.visit_form":
        from pwa.diary.forms import GoalWorkForm, VisitForm

        return {"form": VisitForm(formdata=None, meta={"csrf": False}),
                "goal": GoalWorkForm(formdata=None, prefix="goals-__N__-")}
    if endpoint == "offline.concern_form":
        from pwa.concerns.forms import ConcernForm

        return {"form": ConcernForm(formdata=None, meta={"csrf": False})}
    return {}
