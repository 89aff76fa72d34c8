"""Who may see and do what: the one place that decides (callers use `access.<name>`).

Views never query case tables directly. They ask for an object through a
function here, which scopes the query to the current user, answers 404 for
anything outside that scope (so ids reveal nothing), and audits the read.

- a mentor sees only families they have an active match with;
- a coordinator sees only their programme;
- a social worker sees only the families they are responsible for;
- an admin sees no case content (accounts and programme settings only).
"""
from pwa.access.policy import (
    CASE_ROLES, FAMILY_ACTIONS, one, refuse, roles_required,
)
from pwa.access.people import (
    about_visible_families, active_match_starts, active_matches_for_families, family_for, list_families, manageable_users, match_for, mentors_of,
    programme_for, programmes_for, social_workers_of, supervision_notes, user_for, visible_families,
    visible_matches,
)
from pwa.access.staff import (
    Account, Person, Staff, accounts, count_accounts, staff_by_id, staff_choices, staff_from, staff_lists,
    staff_name,
)
from pwa.access.diary import (
    GOAL_ACTIONS, count_goal_progress, family_goals, family_readings, family_visits, goal_for, goal_progress,
    may_record_agreement, proposed_goals, visible_visits, visit_for,
)
from pwa.access.concerns import (
    CONCERN_ACTIONS, concern_for, concern_index, count_concerns, count_debriefs, count_undelivered,
    debrief_for, list_concerns, undelivered_for, undelivered_mail, visible_concerns,
)
from pwa.access.phone import (
    concerns_sent_by, held_family, held_item_for, held_items, held_sent_by, offline_snapshot, visible_held,
    visits_sent_by,
)
from pwa.access.record import (
    child_for, family_record, person_for,
)
from pwa.access.closure import closed_families, retention_deletions
from pwa.access.kept import prepared
from pwa.access.queues import (
    debrief_queue, debriefs_counted, held_listed, undelivered_listed, waiting_concerns, waiting_counted,
)
from pwa.access.visit_lines import family_visit_lines
from pwa.access.concern_lines import family_concern_lines

__all__ = [
    "CASE_ROLES", "FAMILY_ACTIONS", "one", "refuse", "roles_required",
    "about_visible_families", "active_match_starts", "active_matches_for_families",
    "family_for", "list_families", "manageable_users", "match_for", "mentors_of",
    "programme_for", "programmes_for", "social_workers_of", "supervision_notes", "user_for", "visible_families",
    "visible_matches", "Account", "Person", "accounts", "Staff", "staff_by_id", "staff_choices", "staff_from", "staff_lists",
    "staff_name",
    "GOAL_ACTIONS", "family_goals", "family_readings", "family_visits",
    "count_goal_progress", "goal_for", "goal_progress", "may_record_agreement", "proposed_goals", "visible_visits", "visit_for",
    "CONCERN_ACTIONS", "concern_for", "count_concerns", "count_debriefs", "debrief_for",
    "concern_index", "count_accounts", "count_undelivered", "list_concerns", "undelivered_for", "undelivered_mail", "visible_concerns",
    "concerns_sent_by", "held_family", "held_item_for", "held_items", "held_sent_by", "offline_snapshot",
    "visible_held", "visits_sent_by", "child_for", "family_record", "person_for",
    "closed_families", "retention_deletions", "debrief_queue", "waiting_concerns", "debriefs_counted",
    "held_listed", "undelivered_listed", "waiting_counted", "family_visit_lines",
    "prepared", "family_concern_lines",
]
