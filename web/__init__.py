"""The browser questionnaire (`keiyaku serve`): a thin front end on the core in contracts/, beside cli/."""
