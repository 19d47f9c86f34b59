// Every test runs in UTC so that nothing depends on the machine's zone; Europe/Paris is tested explicitly.
process.env.TZ = 'UTC';
