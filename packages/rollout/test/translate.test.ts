import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { translate } from '../src/api/client.js';
import { ConflictError, NotFoundError, RolloutError } from '../src/errors.js';

const cluster = { server: 'https://127.0.0.1:6443' } as Parameters<typeof translate>[0];
const api = (code: number, body: unknown) => new ApiException(code, `HTTP ${code}`, body, {});
const what = 'deployment deploy-myapp in namespace demo';

describe('translate (API errors a user can act on)', () => {
  it('a failed JSON patch "test" op is not taken for a conflict: the 422 says nothing of it', () => {
    // What kube-apiserver 1.37 answered (kubectl patch -v=8): why we send a resourceVersion replace instead.
    const body = JSON.stringify({
      kind: 'Status',
      status: 'Failure',
      message: 'the server rejected our request due to an error in our request',
      reason: 'Invalid',
      details: {},
      code: 422,
    });
    const error = translate(cluster, what, api(422, body));
    expect(error).not.toBeInstanceOf(ConflictError);
    expect(error.message).toBe(`${what}: the server rejected our request due to an error in our request`);
  });
  it('other 422s keep their causes in the message and are not conflicts', () => {
    const body = {
      message: 'Deployment.apps "deploy-myapp" is invalid: spec.replicas: Invalid value: -1',
      details: {
        causes: [
          { field: 'spec.replicas', message: 'Invalid value: -1: must be greater than or equal to 0' },
        ],
      },
    };
    const error = translate(cluster, what, api(422, body));
    expect(error).not.toBeInstanceOf(ConflictError);
    expect(error).toBeInstanceOf(RolloutError);
    expect(error.message).toContain('spec.replicas: Invalid value: -1: must be greater than or equal to 0');
  });
  it('409 is a conflict, 404 not found, 403 says forbidden', () => {
    expect(translate(cluster, what, api(409, { message: 'the object has been modified' }))).toBeInstanceOf(
      ConflictError,
    );
    expect(translate(cluster, what, api(404, {})).message).toBe(`${what} not found`);
    expect(translate(cluster, what, api(404, {}))).toBeInstanceOf(NotFoundError);
    expect(translate(cluster, what, api(403, { message: 'no' })).message).toBe(`${what}: forbidden: no`);
  });
});
