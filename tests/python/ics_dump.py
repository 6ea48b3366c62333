"""Reads an iCalendar file on stdin with the `icalendar` package (an implementation
independent of the server's) and prints its calendar properties and events as JSON."""

import json
import sys

import icalendar


def ms(value):
    return int(value.dt.timestamp() * 1000)


def main():
    cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
    events = []
    for ev in cal.walk("VEVENT"):
        categories = ev.get("CATEGORIES")
        cats = []
        if categories is not None:
            for c in categories if isinstance(categories, list) else [categories]:
                cats.extend(str(x) for x in c.cats)
        events.append(
            {
                "uid": str(ev["UID"]),
                "start_ms": ms(ev["DTSTART"]),
                "end_ms": ms(ev["DTEND"]),
                "summary": str(ev["SUMMARY"]),
                "location": str(ev["LOCATION"]) if "LOCATION" in ev else None,
                "status": str(ev["STATUS"]) if "STATUS" in ev else None,
                "categories": cats,
            }
        )
    print(
        json.dumps(
            {
                "refresh_interval": str(cal.get("REFRESH-INTERVAL").to_ical().decode())
                if cal.get("REFRESH-INTERVAL") is not None
                else None,
                "published_ttl": str(cal.get("X-PUBLISHED-TTL"))
                if cal.get("X-PUBLISHED-TTL") is not None
                else None,
                "events": events,
            }
        )
    )


if __name__ == "__main__":
    main()
