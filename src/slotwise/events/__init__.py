"""Events on Slotwise's own calendars: the v3 Event object, busy time, write-back to remotes.

Other domains call `service.create_event / update_event / cancel_event / event_to_dict` and
`busy.read_busy`; routers call the rest of `service`.
"""
