import { expect } from 'chai';
import { resolveScript } from '../../../../src/runner/files/script-resolution.js';
import type { MountContent } from '../../../../src/runner/files/volume-plan.js';

const m = (name: string, mountPath: string) => ({ name, mountPath, subPath: '', readOnly: false });

describe('script-resolution', () => {
  const mounts: MountContent[] = [
    { kind: 'data', volumeName: 'one', mountPath: 'stress/job1', files: ['stress.sh'] },
    { kind: 'data', volumeName: 'two', mountPath: 'scripts', files: ['b.sh', 'a.sh'] },
    { kind: 'data', volumeName: 'none', mountPath: 'empty', files: [] },
    { kind: 'emptyDir', volumeName: 'cache', mountPath: 'cache' },
  ];
  const volumeMounts = [
    m('one', 'stress/job1'),
    m('two', 'scripts'),
    m('none', 'empty'),
    m('cache', 'cache'),
  ];
  const table: Array<[string, string, string]> = [
    ['the single file of a mount', 'one', 'script stress/job1/stress.sh'],
    ['<mount>/<file>', 'two/a.sh', 'script scripts/a.sh'],
    ['an emptyDir file written later', 'cache/run.sh', 'script cache/run.sh'],
    ['an image naming no mount', 'busybox:1.36', 'none'],
    ['an empty image', '', 'none'],
    ['a registry-like image naming no mount', 'docker.io/library/bash', 'none'],
  ];
  for (const [what, image, expected] of table) {
    it(`resolves ${what}`, () => {
      const r = resolveScript({ image, volumeMounts }, mounts, 'pod.containers[0]');
      expect(r.kind === 'script' ? `script ${r.path}` : r.kind).to.equal(expected);
    });
  }

  const errors: Array<[string, string, string]> = [
    [
      'several files',
      'two',
      'pod.containers[0].image "two": volume "two" mounted at "scripts" holds 2 files (a.sh, b.sh); set image to "two/<file>", e.g. "two/a.sh"',
    ],
    ['no file', 'none', 'holds no file'],
    ['a file that is not there', 'two/c.sh', 'has no file "c.sh"; its files are: a.sh, b.sh'],
    ['an emptyDir without a file name', 'cache', 'is an emptyDir and holds no script yet'],
    ['an escaping file name', 'two/../x', 'contains ".."'],
  ];
  for (const [what, image, message] of errors) {
    it(`readDefaultVolDirError for ${what}`, () => {
      const r = resolveScript({ image, volumeMounts }, mounts, 'pod.containers[0]');
      expect(r.kind).to.equal('error');
      if (r.kind === 'error') {
        expect(r.reason).to.equal('readDefaultVolDirError');
        expect(r.message).to.contain(message);
      }
    });
  }
});
