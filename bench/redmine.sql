-- Redmine 5 as a peer for bench/run: one public project with 20,000 issues and 100,000 journals (issue 77 has 20),
-- readable anonymously, the REST API on. Loaded after `rake db:migrate` and `rake redmine:load_default_data`.
INSERT INTO projects (id, name, description, identifier, is_public, status, lft, rgt, created_on, updated_on, inherit_members)
VALUES (1, 'MDT', 'Benchmark', 'mdt', true, 1, 1, 2, now(), now(), false);
INSERT INTO projects_trackers (project_id, tracker_id) VALUES (1, 1), (1, 2), (1, 3);
INSERT INTO enabled_modules (project_id, name) VALUES (1, 'issue_tracking'), (1, 'news'), (1, 'wiki');
INSERT INTO issues (id, tracker_id, project_id, subject, description, status_id, priority_id, author_id, lock_version, created_on,
                    updated_on, start_date, due_date, done_ratio, root_id, lft, rgt, is_private)
SELECT g, 1 + g % 3, 1, 'Actie ' || g || ' grenstoezicht en opsporing', 'Omschrijving van actie ' || g, 1 + g % 6, 1 + g % 5, 1, 0,
       now() - (g || ' minutes')::interval, now() - (g || ' minutes')::interval, current_date - (g % 300), current_date + (g % 200),
       (g * 7) % 100, g, 1, 2, false
FROM generate_series(1, 20000) g;
SELECT setval('issues_id_seq', 20000);
INSERT INTO journals (journalized_id, journalized_type, user_id, notes, created_on, private_notes)
SELECT 1 + (g % 20000), 'Issue', 1, 'Voortgang ' || g, now() - (g || ' seconds')::interval, false FROM generate_series(1, 99985) g;
INSERT INTO journals (journalized_id, journalized_type, user_id, notes, created_on, private_notes)
SELECT 77, 'Issue', 1, 'Extra voortgang ' || g, now() - (g || ' hours')::interval, false FROM generate_series(1, 15) g;
INSERT INTO settings (name, value, updated_on) VALUES ('rest_api_enabled', '1', now());
