/** The real GitHub client: @actions/github's Octokit pointed at GITHUB_API_URL, wrapped in our retries. */
import { getOctokit } from '@actions/github';
import { octokitApi, type GitHubApi, type OctokitLike } from './api.js';
import type { RetryOptions } from './retry.js';

export type GitHubApiFactory = (token: string, target: { apiUrl: string; owner: string; repo: string }, retry: RetryOptions) => GitHubApi;

export const createGitHubApi: GitHubApiFactory = (token, target, retry) => {
  const octokit = getOctokit(token, { baseUrl: target.apiUrl.replace(/\/+$/, '') });
  return octokitApi(octokit as unknown as OctokitLike, { owner: target.owner, repo: target.repo }, retry);
};
