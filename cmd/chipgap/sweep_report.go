package main

func cmdSweepReport(e *env, args []string) error {
	return usagef("sweep report is not built yet")
}
