# expect: templates/tenant/backup.yaml:7:13: error: '0 3 * * * *' is not a cron schedule: expected exactly 5 fields (five fields: minute, hour, day of month, month, day of week; or @hourly, @daily, @weekly, @monthly, @yearly, @every DURATION) (at .spec.schedule)
# cmd: sh {file} {tenantc}
# status: 1
. "$(dirname "$0")/../lib/repo.sh"
cat >templates/tenant/backup.yaml <<'YAML'
apiVersion: batch/v1
kind: CronJob
metadata:
  name: backup
  namespace: ${tenant.name}
spec:
  schedule: ${"0 3 * * * *"}
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: backup
              image: registry.example.com/backup:1.0
YAML
tc render
