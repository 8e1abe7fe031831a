"""
Staff run planting days here: events, check-in lists, group bookings, exports.

Every change to who holds a seat goes through events.services under the
event's lock: saving an event is services.save_event (raising capacity
promotes the waiting list), a group booking is services.sign_up(
is_group=True), cancelling is services.cancel. The forms (admin_forms) only
validate; ServiceAdminMixin shows a service's refusal on the form.
"""

from .event import EventAdmin, OrganisationAdmin
from .history import EventHistoryAdmin, SignupHistoryAdmin
from .signup import SignupAdmin

__all__ = [
    "EventAdmin",
    "EventHistoryAdmin",
    "OrganisationAdmin",
    "SignupAdmin",
    "SignupHistoryAdmin",
]
