/** The raw line tree lives with the other iCalendar helpers in core (scheduling edits text the same way). */
export * from '../../core/ics/raw';
