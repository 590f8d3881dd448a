-- The job system's tables as reportgen expects to find them in PostgreSQL (Supabase), in the
-- shape of the upstream migrations (uuid keys, timestamptz, jsonb, text[]). reportgen only
-- reads these tables (and the rollback writes rollout_configuration and rollout_history); it
-- never creates them in production. The tests load this file into a fresh database.
--
-- What the pull relies on:
--   * the column names of reportgen/schema.py; a column the table lacks reads as NULL, except
--     rollout_history.feature_name, read through rollout_config_id when there is no such column;
--   * updated_at (else the newest of created_at, started_at, completed_at) as a row's change
--     time, for incremental pulls: keep it current on every update (the trigger below does).

-- From 20250710000000_add_progressive_capture_jobs.sql, with the later additions of
-- repository_name and updated_at.
CREATE TABLE IF NOT EXISTS progressive_capture_jobs (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    job_type VARCHAR(50) NOT NULL,
    repository_id UUID,
    repository_name TEXT,
    processor_type VARCHAR(20) NOT NULL DEFAULT 'github_actions', -- 'inngest' or 'github_actions'
    status VARCHAR(20) DEFAULT 'pending',   -- 'pending', 'processing', 'completed', 'failed'
    time_range_days INTEGER,
    workflow_run_id BIGINT,                 -- GitHub Actions jobs
    metadata JSONB DEFAULT '{}',
    error TEXT,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    started_at TIMESTAMP WITH TIME ZONE,
    completed_at TIMESTAMP WITH TIME ZONE,
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT NOW()
);

CREATE INDEX IF NOT EXISTS idx_capture_jobs_processor
    ON progressive_capture_jobs (processor_type, status, created_at);
CREATE INDEX IF NOT EXISTS idx_capture_jobs_repository
    ON progressive_capture_jobs (repository_id, created_at);
-- The incremental pull reads rows changed since its watermark.
CREATE INDEX IF NOT EXISTS idx_capture_jobs_updated_at
    ON progressive_capture_jobs (updated_at);

-- From 20250710010000_add_rollout_configuration.sql.
CREATE TABLE IF NOT EXISTS rollout_configuration (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    feature_name VARCHAR(100) NOT NULL,
    rollout_percentage INTEGER DEFAULT 0 CHECK (rollout_percentage >= 0 AND rollout_percentage <= 100),
    is_active BOOLEAN DEFAULT false,
    target_repositories TEXT[] DEFAULT '{}',    -- repository ids of the whitelist
    excluded_repositories TEXT[] DEFAULT '{}',  -- repository ids never rolled out to
    rollout_strategy VARCHAR(50) DEFAULT 'percentage', -- 'percentage', 'whitelist', 'repository_size'
    max_error_rate DECIMAL(5, 2) DEFAULT 5.0,   -- error rate % that rolls back
    monitoring_window_hours INTEGER DEFAULT 24,
    auto_rollback_enabled BOOLEAN DEFAULT true,
    emergency_stop BOOLEAN DEFAULT false,
    metadata JSONB DEFAULT '{}',
    created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT NOW()
);

CREATE INDEX IF NOT EXISTS idx_rollout_config_feature_active
    ON rollout_configuration (feature_name, is_active);

CREATE TABLE IF NOT EXISTS repository_categories (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    repository_id UUID UNIQUE,
    category VARCHAR(20) NOT NULL,          -- 'test', 'small', 'medium', 'large', 'enterprise'
    priority_level INTEGER DEFAULT 0,
    is_test_repository BOOLEAN DEFAULT false,
    star_count INTEGER DEFAULT 0,
    contributor_count INTEGER DEFAULT 0,
    pr_count INTEGER DEFAULT 0,
    monthly_activity_score INTEGER DEFAULT 0,
    last_categorized_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT NOW()
);

CREATE TABLE IF NOT EXISTS rollout_history (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    rollout_config_id UUID REFERENCES rollout_configuration (id) ON DELETE CASCADE,
    action VARCHAR(50) NOT NULL,            -- 'created', 'updated', 'rollback', 'emergency_stop'
    previous_percentage INTEGER,
    new_percentage INTEGER,
    reason TEXT,
    triggered_by VARCHAR(100),              -- 'manual', 'auto_rollback', 'schedule', …
    metadata JSONB DEFAULT '{}',
    created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW()
);

CREATE INDEX IF NOT EXISTS idx_rollout_history_config_action
    ON rollout_history (rollout_config_id, action, created_at);

-- updated_at follows every change, unless the update sets it itself.
CREATE OR REPLACE FUNCTION update_updated_at_column() RETURNS TRIGGER AS $$
BEGIN
    IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
        NEW.updated_at = NOW();
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS update_progressive_capture_jobs_updated_at ON progressive_capture_jobs;
CREATE TRIGGER update_progressive_capture_jobs_updated_at
    BEFORE UPDATE ON progressive_capture_jobs
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();

DROP TRIGGER IF EXISTS update_rollout_configuration_updated_at ON rollout_configuration;
CREATE TRIGGER update_rollout_configuration_updated_at
    BEFORE UPDATE ON rollout_configuration
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();

DROP TRIGGER IF EXISTS update_repository_categories_updated_at ON repository_categories;
CREATE TRIGGER update_repository_categories_updated_at
    BEFORE UPDATE ON repository_categories
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
