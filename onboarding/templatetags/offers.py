"""``{% load offers %}``: the prefilled session requests of onboarding/offers.py as filters
on a checklist (``{{ row.checklist|manager_offer }}``)."""

from django import template

from .. import offers

register = template.Library()

register.filter("manager_offer", offers.manager_offer)
register.filter("buddy_offer", offers.buddy_offer)
register.filter("ask_buddy", offers.ask_buddy)
register.filter("task_link", offers.task_link)
register.filter("to_fill", offers.to_fill)
