package workflows

// The changes of workflow logic, each behind workflow.GetVersion so that
// cases started before it replay as they ran. A new change gets its name
// here, and recorded histories of before and after it in testdata.

// versionEscalation marks the change that added deadlines and the ladder.
const versionEscalation = "escalation"

// versionRetention marks the change that keeps a closed case's workflow
// until its retention ends.
const versionRetention = "retention"

// versionLocal marks the change that runs the short store activities as
// local activities.
const versionLocal = "local-activities"

// versionTables marks the change that gave agreements deadlines of their
// own.
const versionTables = "tables"

// Attendance and gaps became Updates of the workflow (RecordAttendance,
// RecordGap) without a marker: registering a handler adds nothing to a
// history, and only histories that hold such an update run its activity,
// so every recorded history replays as before (TestReplayRecordedHistories).
